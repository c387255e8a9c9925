// POST /api/v1/sessions/guest — start a guest session
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.createGuestSession, async ({ latchkey, body, actor }) => {
  return json(await latchkey.engine.createGuestSession(body, actor), 201);
});
