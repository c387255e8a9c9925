// POST /api/v1/oauth-states/consume — a state's data, exactly once
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.consumeOAuthState, async ({ app, body, actor }) => {
  return json({ data: await app.consumeOAuthState(body.state, actor) });
});
