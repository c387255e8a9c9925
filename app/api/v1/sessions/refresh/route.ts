// POST /api/v1/sessions/refresh — slide the idle expiry; with rotate, replace the token
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { isSessionError } from "@/lib/sessions/errors";

export const POST = apiRoute(endpoints.refreshSession, async ({ latchkey, body, actor, recordFailure, origin }) => {
  try {
    if (body.rotate) {
      const { token, session } = await latchkey.engine.rotateSession(body.token, actor, origin);
      return json({ session, token });
    }
    const context = await latchkey.engine.refreshSession(body.token, origin);
    return json({ session: context.session });
  } catch (error) {
    if (isSessionError(error)) recordFailure();
    throw error;
  }
});
