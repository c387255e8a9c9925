import type { CallContext } from "./handler";
import type { endpoints } from "./endpoints";
import { reply, type ApiReply } from "./errors";
import { isSessionError } from "../sessions/errors";

/**
 * The calls every application makes on every request (resolve, refresh) or at every sign-in
 * (create, guest, OAuth state). They are answered both by the Next.js routes and by the hot path
 * in front of Next.js (lib/server/hot-path.ts), from this one code.
 */

/** POST /api/v1/sessions: start a session; its token is in this answer only. */
export async function createCall({ app, body, actor }: CallContext<typeof endpoints.createSession>): Promise<ApiReply> {
  return reply(await app.createSession(body, actor), 201);
}

/** POST /api/v1/sessions/guest: a session for a new anonymous user. */
export async function createGuestCall({ app, body, actor }: CallContext<typeof endpoints.createGuestSession>): Promise<ApiReply> {
  return reply(await app.createGuestSession(body, actor), 201);
}

/** POST /api/v1/oauth-states: a single-use OAuth state. */
export async function issueStateCall({ app, body, actor }: CallContext<typeof endpoints.issueOAuthState>): Promise<ApiReply> {
  return reply(await app.issueOAuthState(body, actor), 201);
}

/** POST /api/v1/sessions/resolve: a token's session and user, or why it is refused (200 either way). */
export async function resolveCall({ app, body, recordFailure, origin }: CallContext<typeof endpoints.resolveSession>): Promise<ApiReply> {
  const result = await app.resolveSession(body.token, origin);
  if (result.authenticated) {
    return reply({
      authenticated: true,
      session: result.session,
      user: result.user,
      roles: result.roles,
      tenantId: result.tenantId,
      kind: result.kind,
      reason: null,
      code: null,
      revokedReason: null,
      revokedAt: null,
      revokedBy: null,
      revokeNote: null,
    });
  }
  recordFailure();
  return reply({
    authenticated: false,
    session: null,
    user: null,
    roles: [],
    tenantId: null,
    kind: null,
    reason: result.reason,
    code: result.code,
    revokedReason: result.revokedReason,
    revokedAt: result.revokedAt,
    revokedBy: result.revokedBy,
    revokeNote: result.revokeNote,
  });
}

/** POST /api/v1/sessions/refresh: slide the idle expiry; with rotate, replace the token. */
export async function refreshCall({ app, body, actor, recordFailure, origin }: CallContext<typeof endpoints.refreshSession>): Promise<ApiReply> {
  try {
    if (body.rotate) {
      const { token, session } = await app.rotateSession(body.token, actor, origin);
      return reply({ session, token });
    }
    const context = await app.refreshSession(body.token, origin);
    return reply({ session: context.session });
  } catch (error) {
    if (isSessionError(error)) recordFailure();
    throw error;
  }
}
