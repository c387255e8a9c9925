import { cookies } from "next/headers";
import { decode, encode } from "next-auth/jwt";
import type { Latchkey } from "../server/latchkey";
import { isSessionError } from "../sessions/errors";
import { getAuthOptions, requestIsHttps } from "./options";
import type { ConsoleSession } from "./session";

/**
 * After a change of trust (the password entered again, a new password), the console session
 * goes on under a new token, as after a sign-in: the engine replaces the token (the old one is
 * refused at once) and next-auth's cookie is rewritten to carry the new one. Called from server
 * actions, which may set cookies. A session that has just ended is left alone.
 */
export async function reissueConsoleSession(latchkey: Latchkey, session: ConsoleSession): Promise<void> {
  const options = getAuthOptions(await requestIsHttps());
  const cookie = options.cookies?.sessionToken;
  const secret = options.secret;
  const store = await cookies();
  const current = cookie ? store.get(cookie.name)?.value : undefined;
  const payload = current && secret ? await decode({ token: current, secret }) : null;
  if (!cookie || !secret || !payload) {
    // No cookie to carry a new token: the session whose trust changed ends (fail closed).
    await latchkey.console.revokeSession(session.sessionId, { reason: "SIGNED_OUT", note: "its token could not be replaced" }, session.actor).catch(() => false);
    return;
  }
  let token: string;
  try {
    token = (await latchkey.console.reissueSession(session.sessionId, session.actor)).token;
  } catch (error) {
    if (isSessionError(error)) return;
    throw error;
  }
  const maxAge = options.session?.maxAge ?? 30 * 86_400;
  store.set(cookie.name, await encode({ token: { ...payload, lk: token }, secret, maxAge }), {
    ...cookie.options,
    expires: new Date(Date.now() + maxAge * 1000),
  });
}
