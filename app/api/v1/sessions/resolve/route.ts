// POST /api/v1/sessions/resolve — a token's session and user, or why it is refused (200 either way)
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.resolveSession, async ({ latchkey, body, recordFailure, origin }) => {
  const result = await latchkey.engine.resolveSession(body.token, origin);
  if (result.authenticated) {
    return json({
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
    });
  }
  recordFailure();
  return json({
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
  });
});
