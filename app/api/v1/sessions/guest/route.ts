// POST /api/v1/sessions/guest — start a guest session
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.createGuestSession, async ({ app, body, actor }) => {
  return json(await app.createGuestSession(body, actor), 201);
});
