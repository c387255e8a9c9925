import type { SessionRecord, SessionStatus } from "./types";

/**
 * The status of a session at `now`. The absolute cap is checked before idle expiry because the
 * idle expiry is clamped to it: a session that hit its cap is past both.
 */
export function sessionStatus(
  session: Pick<SessionRecord, "revokedAt" | "idleExpiresAt" | "absoluteExpiresAt">,
  now: Date,
): SessionStatus {
  if (session.revokedAt) return "revoked";
  if (now.getTime() >= session.absoluteExpiresAt.getTime()) return "absolute-expired";
  if (now.getTime() >= session.idleExpiresAt.getTime()) return "idle-expired";
  return "active";
}
