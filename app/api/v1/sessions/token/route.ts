// POST /api/v1/sessions/token — a live session token in, a short-lived signed access token out
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { isSessionError } from "@/lib/sessions/errors";

export const POST = apiRoute(endpoints.exchangeSession, async ({ latchkey, app, body, recordFailure, origin }) => {
  try {
    const context = await app.validateSession(body.token, origin, "exchange");
    return json(await latchkey.accessTokens.issue(context));
  } catch (error) {
    if (isSessionError(error)) recordFailure();
    throw error;
  }
});
