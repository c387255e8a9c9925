// POST /api/v1/sessions/service — a short-lived session for an automation client
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { encodeServiceSession } from "@latchkey/client";

export const POST = apiRoute(endpoints.createServiceSession, async ({ latchkey, app, body, actor, request }) => {
  const issued = await app.createServiceSession(body, actor);
  const url = latchkey.env.publicUrl ?? new URL(request.url).origin;
  return json({ ...issued, environment: encodeServiceSession(issued.token, url) }, 201);
});
