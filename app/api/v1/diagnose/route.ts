// POST /api/v1/diagnose — why a token, a session or a user is refused, with the evidence
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.diagnose, async ({ app, body }) => {
  return json(await app.diagnose(body));
});
