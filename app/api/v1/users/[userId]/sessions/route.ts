// GET /api/v1/users/{userId}/sessions — live sessions; DELETE — log out everywhere (or everywhere but one session)
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.listUserSessions, async ({ app, params }) => {
  return json({ items: await app.listUserSessions(params.userId) });
});

export const DELETE = apiRoute(endpoints.revokeUserSessions, async ({ app, params, body, actor }) => {
  const { exceptSessionId, ...revoke } = body;
  return json({ revoked: await app.revokeUserSessions(params.userId, revoke, actor, { exceptSessionId }) });
});
