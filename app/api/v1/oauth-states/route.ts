// POST /api/v1/oauth-states — issue a single-use OAuth state
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.issueOAuthState, async ({ app, body, actor }) => {
  return json(await app.issueOAuthState(body, actor), 201);
});
