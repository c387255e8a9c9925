import { ErrorCode, RefusalReason, SessionError, refusalError } from "./errors";
import { SECOND, event, revocation, toSessionView, toUserView, type EngineContext } from "./context";
import { ALL_APPS, CONSOLE_APP_ID, policyOf, withPolicy, type AppScope, type SessionPolicy } from "./policy";
import type { RefusalOperation, RequestContext } from "./refusal-log";
import { sessionStatus } from "./status";
import { parseToken, secretMatches } from "./tokens";
import { REISSUED_NOTE, type Actor, type SessionKind, type SessionRecord, type SessionView, type UserRecord, type UserView } from "./types";
import { cleanUserAgent } from "./user-agent";
import { plainAddress } from "./words";

/** A resolved, live session and who it belongs to. */
export interface AuthContext {
  authenticated: true;
  session: SessionView;
  user: UserView;
  roles: string[];
  tenantId: string | null;
  kind: SessionKind;
}

/** A refused token: the reason, and what is known about the session it named. */
export interface Refusal {
  authenticated: false;
  reason: RefusalReason;
  code: ErrorCode;
  sessionId: string | null;
  userId: string | null;
  revokedReason: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeNote: string | null;
}

export type ResolveResult = AuthContext | Refusal;

/** A token that passed every check: its session (as its application's policy has it), user and policy. */
export interface Checked {
  ok: true;
  session: SessionRecord;
  user: UserRecord;
  policy: SessionPolicy;
}

export type CheckResult = Checked | { ok: false; refusal: Refusal };

/** The typed error for a refusal: its reason, and for an ended session who ended it, when and why. */
export function refused(refusal: Refusal): SessionError {
  const { sessionId, revokedReason, revokedAt, revokedBy, revokeNote } = refusal;
  return refusalError(refusal.reason, { sessionId, revokedReason, revokedAt: revokedAt?.toISOString() ?? null, revokedBy, revokeNote });
}

export function rotationConflict(sessionId: string): SessionError {
  return new SessionError(
    ErrorCode.ROTATION_CONFLICT,
    "This token was just replaced by a concurrent request; use the token that request received.",
    { sessionId },
  );
}

function refusalOf(reason: RefusalReason, record?: SessionRecord | null): Refusal {
  // A wrong secret says nothing about the session its id names.
  const known = reason === RefusalReason.SECRET_MISMATCH ? null : record;
  return {
    authenticated: false,
    reason,
    code: refusalError(reason).code,
    sessionId: record?.id ?? null,
    userId: known?.userId ?? null,
    revokedReason: known?.revokedReason ?? null,
    revokedAt: known?.revokedAt ?? null,
    revokedBy: known?.revokedBy ?? null,
    revokeNote: known?.revokeNote ?? null,
  };
}

/**
 * Judges a token within `scope`: a session of another application is unknown here. Checks the
 * secret, the application, revocation, expiry (under the application's current policy) and the
 * user. A rotated token presented after the grace window revokes its whole family. Does not touch.
 */
async function judge(ctx: EngineContext, scope: AppScope, token: unknown): Promise<CheckResult> {
  const parsed = parseToken("session", token);
  if (!parsed) return { ok: false, refusal: refusalOf(RefusalReason.MALFORMED) };
  const found = await ctx.repository.findSessionWithUser(scope, parsed.id);
  if (!found) return { ok: false, refusal: refusalOf(RefusalReason.UNKNOWN) };
  const { user } = found;
  if (!secretMatches(parsed.secret, found.session.secretHash)) {
    return { ok: false, refusal: refusalOf(RefusalReason.SECRET_MISMATCH, found.session) };
  }
  const app = await ctx.applications.get(found.session.appId);
  if (!app || app.disabledAt) return { ok: false, refusal: refusalOf(RefusalReason.APP_DISABLED, found.session) };
  const policy = policyOf(app, ctx.defaultPolicy);
  const session = withPolicy(found.session, policy);
  const now = ctx.clock.now();
  if (session.revokedAt) {
    if (session.revokedReason === "ROTATED") return checkRotated(ctx, session, user, policy, now);
    return { ok: false, refusal: refusalOf(RefusalReason.REVOKED, session) };
  }
  const status = sessionStatus(session, now);
  if (status === "absolute-expired") return { ok: false, refusal: refusalOf(RefusalReason.ABSOLUTE_EXPIRED, session) };
  if (status === "idle-expired") return { ok: false, refusal: refusalOf(RefusalReason.IDLE_EXPIRED, session) };
  if (user.disabledAt) return { ok: false, refusal: refusalOf(RefusalReason.USER_DISABLED, session) };
  return { ok: true, session, user, policy };
}

/**
 * A token that was rotated away. Inside the grace window (requests that were in flight during
 * the rotation) it still works while its successor is live; after it, presenting it again
 * means two parties hold the token, so the whole family is revoked.
 */
async function checkRotated(ctx: EngineContext, session: SessionRecord, user: UserRecord, policy: SessionPolicy, now: Date): Promise<CheckResult> {
  const rotatedAt = (session.revokedAt as Date).getTime();
  if (now.getTime() - rotatedAt < policy.rotationGraceSeconds * SECOND) {
    const successor = session.rotatedToId ? await ctx.repository.findSession(session.appId, session.rotatedToId) : null;
    // A token replaced because its owner signed in again (reissueSession) gets no grace.
    if (successor && session.revokeNote !== REISSUED_NOTE && sessionStatus(withPolicy(successor, policy), now) === "active" && !user.disabledAt) {
      return { ok: true, session, user, policy };
    }
    return { ok: false, refusal: refusalOf(RefusalReason.REVOKED, session) };
  }
  const actor: Actor = { type: "system", label: "reuse-detection" };
  await ctx.repository.revokeSessions(
    session.appId,
    { familyId: session.familyId },
    revocation("REUSE_DETECTED", actor, `rotated token of session ${session.id} presented again`, now),
    { at: now, type: "session.revoked", actor, details: { reason: "REUSE_DETECTED" } },
    event(ctx, session.appId, "session.reuse_detected", actor, {
      sessionId: session.id,
      userId: session.userId,
      details: { familyId: session.familyId, rotatedAt: session.revokedAt?.toISOString() },
    }),
    // A replay is recorded even when the family had already ended: the token was still copied.
    { summaryWhenNone: true },
  );
  return { ok: false, refusal: refusalOf(RefusalReason.REUSE_DETECTED, session) };
}

/** Judges a token and reports a refusal to the refusal log, with where the token came from. */
export async function checkToken(
  ctx: EngineContext,
  scope: AppScope,
  token: unknown,
  operation: RefusalOperation,
  request: RequestContext = {},
): Promise<CheckResult> {
  const checked = await judge(ctx, scope, token);
  ctx.observer?.tokenChecked(operation, checked.ok ? null : checked.refusal.reason);
  if (!checked.ok && ctx.refusals) {
    const { refusal } = checked;
    ctx.refusals.record({
      appId: scope === ALL_APPS ? CONSOLE_APP_ID : scope,
      at: ctx.clock.now(),
      reason: refusal.reason,
      operation,
      source: request.source ?? "engine",
      sessionId: refusal.sessionId ?? parseToken("session", token)?.id ?? null,
      userId: refusal.userId,
      revokedReason: refusal.revokedReason,
      ip: request.ip ? plainAddress(request.ip) : null,
      userAgent: cleanUserAgent(request.userAgent),
    });
  }
  return checked;
}

export function authContext(session: SessionRecord, user: UserRecord, now: Date): AuthContext {
  const view = toSessionView(session, now);
  return {
    authenticated: true,
    session: view,
    user: toUserView(user),
    roles: view.roles,
    tenantId: view.tenantId,
    kind: view.kind,
  };
}

/** Slides the idle expiry if the last write is older than the touch interval (always, when forced). */
async function touchIfDue(ctx: EngineContext, checked: Checked, now: Date, force: boolean): Promise<SessionRecord> {
  const { session, policy } = checked;
  if (session.revokedAt) return session;
  const interval = force ? 0 : policy.touchIntervalSeconds * SECOND;
  if (now.getTime() - session.lastSeenAt.getTime() < interval || now.getTime() <= session.lastSeenAt.getTime()) {
    return session;
  }
  const idleExpiresAt = new Date(Math.min(now.getTime() + session.idleTimeoutSeconds * SECOND, session.absoluteExpiresAt.getTime()));
  const touched = await ctx.repository.touchSession(session.appId, session.id, now, new Date(now.getTime() - interval), idleExpiresAt);
  return touched ? { ...session, lastSeenAt: now, idleExpiresAt } : session;
}

/**
 * The auth context of a token, or why it was refused. A live session's idle expiry slides
 * forward (at most one write per touch interval, and never for a session ended meanwhile).
 */
export async function resolveSession(
  ctx: EngineContext,
  scope: AppScope,
  token: unknown,
  request?: RequestContext,
  operation: RefusalOperation = "resolve",
): Promise<ResolveResult> {
  const checked = await checkToken(ctx, scope, token, operation, request);
  if (!checked.ok) return checked.refusal;
  const now = ctx.clock.now();
  const session = await touchIfDue(ctx, checked, now, false);
  return authContext(session, checked.user, now);
}

/** Like resolveSession, but throws the typed error for a refused token. */
export async function validateSession(
  ctx: EngineContext,
  scope: AppScope,
  token: unknown,
  request?: RequestContext,
  operation: RefusalOperation = "validate",
): Promise<AuthContext> {
  const result = await resolveSession(ctx, scope, token, request, operation);
  if (!result.authenticated) throw refused(result);
  return result;
}

/** Slides the idle expiry now (clamped to the absolute cap), regardless of the touch interval. */
export async function refreshSession(ctx: EngineContext, scope: AppScope, token: unknown, request?: RequestContext): Promise<AuthContext> {
  const checked = await checkToken(ctx, scope, token, "refresh", request);
  if (!checked.ok) throw refused(checked.refusal);
  const now = ctx.clock.now();
  const session = await touchIfDue(ctx, checked, now, true);
  return authContext(session, checked.user, now);
}
