// POST /api/v1/sessions/revoke — revoke every live session matching a filter, within the caller's application
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.revokeMatchingSessions, async ({ app, body, actor }) => {
  return json(await app.revokeMatchingSessions(body, actor));
});
