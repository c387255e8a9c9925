// GET /api/v1/users/{userId}/sessions — live sessions; DELETE — log out everywhere
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.listUserSessions, async ({ latchkey, params }) => {
  return json({ items: await latchkey.engine.listUserSessions(params.userId) });
});

export const DELETE = apiRoute(endpoints.revokeUserSessions, async ({ latchkey, params, body, actor }) => {
  return json({ revoked: await latchkey.engine.revokeUserSessions(params.userId, body, actor) });
});
