// POST /api/v1/sessions — start a session; GET /api/v1/sessions — list every session
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.createSession, async ({ latchkey, body, actor }) => {
  return json(await latchkey.engine.createSession(body, actor), 201);
});

export const GET = apiRoute(endpoints.listSessions, async ({ latchkey, query }) => {
  return json(await latchkey.engine.listSessions(query));
});
