// POST /api/v1/sessions/upgrade — turn a guest session into a user's, with a new token
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { isSessionError } from "@/lib/sessions/errors";

export const POST = apiRoute(endpoints.upgradeGuestSession, async ({ app, body, actor, recordFailure, origin }) => {
  try {
    return json(await app.upgradeGuestSession(body.token, body.userId, actor, origin));
  } catch (error) {
    if (isSessionError(error)) recordFailure();
    throw error;
  }
});
