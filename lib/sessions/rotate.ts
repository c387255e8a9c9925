import { SECOND, event, revocation, toSessionView, type EngineContext } from "./context";
import { assertUserEnabled, sessionLimitCheck, sessionLimitRefused, type IssuedSession } from "./create";
import { ErrorCode, SessionError } from "./errors";
import type { AppScope } from "./policy";
import type { RequestContext } from "./refusal-log";
import { checkToken, refused, rotationConflict } from "./resolve";
import { identifierSchema, parseInput, sessionIdSchema } from "./schemas";
import { issueToken } from "./tokens";
import { REISSUED_NOTE, SYSTEM_ACTOR, type Actor, type SessionRecord } from "./types";

/** A successor for `old` with a fresh token: same family, same sign-in, same absolute cap. */
function successorOf(old: SessionRecord, now: Date): { token: string; record: SessionRecord } {
  const issued = issueToken("session");
  return {
    token: issued.token,
    record: {
      ...old,
      id: issued.id,
      secretHash: issued.secretHash,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: new Date(Math.min(now.getTime() + old.idleTimeoutSeconds * SECOND, old.absoluteExpiresAt.getTime())),
      revokedAt: null,
      revokedReason: null,
      revokedBy: null,
      revokeNote: null,
      rotatedFromId: old.id,
      rotatedToId: null,
    },
  };
}

/**
 * Replaces a token with a new one: one atomic compare-and-swap, so of concurrent rotations of
 * the same token exactly one succeeds. The old token is revoked (ROTATED) and linked.
 */
export async function rotateSession(
  ctx: EngineContext,
  scope: AppScope,
  token: unknown,
  actor: Actor = SYSTEM_ACTOR,
  request?: RequestContext,
): Promise<IssuedSession> {
  const checked = await checkToken(ctx, scope, token, "rotate", request);
  if (!checked.ok) throw refused(checked.refusal);
  const old = checked.session;
  // Only a token rotated inside the grace window gets here revoked: a concurrent rotation won.
  if (old.revokedAt) throw rotationConflict(old.id);
  const now = ctx.clock.now();
  const next = successorOf(old, now);
  const rotated = await ctx.repository.rotateSession(old.appId, old.id, revocation("ROTATED", actor, null, now), next.record, [
    event(ctx, old.appId, "session.rotated", actor, { sessionId: old.id, userId: old.userId, details: { to: next.record.id } }),
    event(ctx, old.appId, "session.created", actor, { sessionId: next.record.id, userId: old.userId, details: { rotatedFrom: old.id, kind: old.kind } }),
  ]);
  if (rotated.outcome !== "rotated") throw rotationConflict(old.id);
  return { token: next.token, session: toSessionView(next.record, now) };
}

/**
 * A new token for a session whose trust changed: its owner re-entered their password or chose a
 * new one. The session goes on under the new token, counted as a fresh sign-in; the old token
 * is refused at once, with no grace window (nothing legitimate still holds it), and presenting
 * it after the window counts as reuse like any rotated token.
 */
export async function reissueSession(ctx: EngineContext, scope: AppScope, sessionId: string, actor: Actor = SYSTEM_ACTOR): Promise<IssuedSession> {
  const id = parseInput(sessionIdSchema, sessionId);
  const old = await ctx.repository.findSession(scope, id);
  if (!old || old.revokedAt) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId: id });
  const now = ctx.clock.now();
  const next = successorOf(old, now);
  next.record.authenticatedAt = now;
  const rotated = await ctx.repository.rotateSession(old.appId, old.id, revocation("ROTATED", actor, REISSUED_NOTE, now), next.record, [
    event(ctx, old.appId, "session.rotated", actor, { sessionId: old.id, userId: old.userId, details: { to: next.record.id, reauthenticated: true } }),
    event(ctx, old.appId, "session.created", actor, { sessionId: next.record.id, userId: old.userId, details: { rotatedFrom: old.id, kind: old.kind } }),
  ]);
  if (rotated.outcome !== "rotated") throw rotationConflict(old.id);
  return { token: next.token, session: toSessionView(next.record, now) };
}

/**
 * Turns a guest session into a user's: a new token (no session fixation), a fresh absolute
 * cap as for any sign-in, the guest id recorded on the new session, and the user held to the
 * application's session limit.
 */
export async function upgradeGuestSession(
  ctx: EngineContext,
  scope: AppScope,
  token: unknown,
  userId: string,
  actor: Actor = SYSTEM_ACTOR,
  request?: RequestContext,
): Promise<IssuedSession> {
  const targetUserId = parseInput(identifierSchema, userId);
  const checked = await checkToken(ctx, scope, token, "upgrade", request);
  if (!checked.ok) throw refused(checked.refusal);
  const { session: guest, policy } = checked;
  if (guest.revokedAt) throw rotationConflict(guest.id);
  if (guest.kind !== "guest") {
    throw new SessionError(ErrorCode.NOT_A_GUEST_SESSION, "Only a guest session can be upgraded; this token belongs to a user session.", {
      sessionId: guest.id,
    });
  }
  await assertUserEnabled(ctx, guest.appId, targetUserId);
  const now = ctx.clock.now();
  const next = successorOf(guest, now);
  const absoluteExpiresAt = new Date(now.getTime() + policy.absoluteTimeoutSeconds * SECOND);
  const record: SessionRecord = {
    ...next.record,
    userId: targetUserId,
    kind: "user",
    guestUserId: guest.userId,
    authenticatedAt: now,
    startedAt: now,
    absoluteExpiresAt,
    idleExpiresAt: new Date(Math.min(now.getTime() + guest.idleTimeoutSeconds * SECOND, absoluteExpiresAt.getTime())),
  };
  const upgraded = await ctx.repository.rotateSession(
    guest.appId,
    guest.id,
    revocation("ROTATED", actor, "guest upgraded", now),
    record,
    [
      event(ctx, guest.appId, "session.guest_upgraded", actor, {
        sessionId: guest.id,
        userId: targetUserId,
        details: { guestUserId: guest.userId, to: record.id },
      }),
      event(ctx, guest.appId, "session.created", actor, { sessionId: record.id, userId: targetUserId, details: { rotatedFrom: guest.id, kind: "user" } }),
    ],
    sessionLimitCheck(ctx, guest.appId, policy, "user", actor, now),
  );
  if (upgraded.outcome === "limit") throw sessionLimitRefused(targetUserId, policy.sessionLimit ?? 0);
  if (upgraded.outcome === "conflict") throw rotationConflict(guest.id);
  return { token: next.token, session: toSessionView(record, now) };
}
