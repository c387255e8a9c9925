// POST /api/v1/sessions — start a session; GET /api/v1/sessions — list every session
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { createCall } from "@/lib/api/session-calls";

export const POST = apiRoute(endpoints.createSession, createCall);

export const GET = apiRoute(endpoints.listSessions, async ({ app, query }) => {
  return json(await app.listSessions(query));
});
