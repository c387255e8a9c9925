import { assertMayActOn, concreteApp, event, revocation, type EngineContext } from "./context";
import { ErrorCode, SessionError } from "./errors";
import { ALL_APPS, CONSOLE_APP_ID, type AppScope } from "./policy";
import { identifierSchema, parseInput, revokeByFilterSchema, revokeSchema, sessionIdSchema, type RevokeByFilterInput, type RevokeInput } from "./schemas";
import { SYSTEM_ACTOR, type Actor, type SessionFilter } from "./types";

/**
 * Ends one session. With `ownerUserId`, only that user's session can be ended (another user's
 * id is reported exactly like an unknown one), as is a session outside `scope`. Returns false
 * if it was already ended.
 */
export async function revokeSession(
  ctx: EngineContext,
  scope: AppScope,
  sessionId: string,
  input: RevokeInput = {},
  actor: Actor = SYSTEM_ACTOR,
  options: { ownerUserId?: string } = {},
): Promise<boolean> {
  const id = parseInput(sessionIdSchema, sessionId);
  const valid = parseInput(revokeSchema, input);
  const now = ctx.clock.now();
  const existing = await ctx.repository.findSession(scope, id);
  if (!existing || (options.ownerUserId !== undefined && existing.userId !== options.ownerUserId)) {
    throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId: id });
  }
  await assertMayActOn(ctx, actor, existing.appId, existing.userId);
  return ctx.repository.revokeSession(
    existing.appId,
    id,
    revocation(valid.reason, actor, valid.note, now),
    event(ctx, existing.appId, "session.revoked", actor, { sessionId: id, userId: existing.userId, details: { reason: valid.reason, note: valid.note ?? null } }),
    options,
  );
}

/**
 * "Log out everywhere": ends every live session of a user of the application, optionally
 * sparing one; returns the count. A user with no sessions (or unknown here) gets 0 and no event.
 */
export async function revokeUserSessions(
  ctx: EngineContext,
  scope: AppScope,
  userId: string,
  input: RevokeInput = {},
  actor: Actor = SYSTEM_ACTOR,
  options: { exceptSessionId?: string } = {},
): Promise<number> {
  const appId = concreteApp(scope);
  const id = parseInput(identifierSchema, userId);
  const valid = parseInput(revokeSchema, { reason: "LOGGED_OUT_EVERYWHERE", ...input });
  const now = ctx.clock.now();
  const user = await ctx.repository.findUser(appId, id);
  if (!user) return 0;
  await assertMayActOn(ctx, actor, appId, id);
  const revoked = await ctx.repository.revokeSessions(
    appId,
    { userId: id, exceptSessionId: options.exceptSessionId },
    revocation(valid.reason, actor, valid.note, now),
    { at: now, type: "session.revoked", actor, details: { reason: valid.reason, note: valid.note ?? null } },
    event(ctx, appId, "user.sessions_revoked", actor, { userId: id, details: { reason: valid.reason, note: valid.note ?? null } }),
  );
  return revoked.length;
}

/** What a revocation by filter found, and (unless a dry run) ended. */
export interface RevokeByFilterResult {
  dryRun: boolean;
  /** Live sessions matching the filter when the call started. */
  matched: number;
  revoked: number;
}

/**
 * Ends every live session matching `filter` (an application, a tenant, an IP prefix, a time
 * range, a device text…) with a reason, in batches: the incident-response form of "log out
 * everywhere". With `dryRun`, only counts. Each ended session gets its own event, and the whole
 * revocation one event with the filter and the count.
 */
export async function revokeMatchingSessions(
  ctx: EngineContext,
  scope: AppScope,
  input: RevokeByFilterInput,
  actor: Actor = SYSTEM_ACTOR,
  options: { onBatch?: (progress: { matched: number; revoked: number }) => void } = {},
): Promise<RevokeByFilterResult> {
  const { dryRun, reason, note, filter } = parseInput(revokeByFilterSchema, input);
  const now = ctx.clock.now();
  const matched = await ctx.repository.countLiveMatching(scope, filter, now);
  if (dryRun) return { dryRun: true, matched, revoked: 0 };
  let revoked = 0;
  let afterId: string | null = null;
  // As many a transaction as a sweep batch: the size the environment chose for this database's bulk writes.
  const batchSize = ctx.config.sweepBatchSize;
  const fields = revocation(reason, actor, note, now);
  options.onBatch?.({ matched, revoked });
  for (;;) {
    const ids = await ctx.repository.pickLiveMatching(scope, filter, now, afterId, batchSize);
    if (ids.length === 0) break;
    afterId = ids.at(-1) ?? null;
    const ended = await ctx.repository.revokeSessions(scope, { ids }, fields, { at: now, type: "session.revoked", actor, details: { reason, note: note ?? null, byFilter: true } }, null);
    revoked += ended.length;
    options.onBatch?.({ matched, revoked });
    if (ids.length < batchSize) break;
    // Let requests waiting on this process run between batches (SQLite's driver is synchronous).
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  // A revocation that found nothing to end changed nothing, and leaves no event either.
  if (revoked === 0) return { dryRun: false, matched, revoked };
  const summaryApp = typeof scope === "string" ? scope : CONSOLE_APP_ID;
  await ctx.repository.appendEvents([
    event(ctx, summaryApp, "sessions.revoked_by_filter", actor, {
      details: { filter: describeFilter(filter), reason, note: note ?? null, matched, revoked },
    }),
  ]);
  return { dryRun: false, matched, revoked };
}

/** A filter as the audit log keeps it: dates as ISO text. */
function describeFilter(filter: SessionFilter): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]));
}

/** Disables a user of an application: every session ends and no new one starts until re-enabled. */
export async function disableUser(ctx: EngineContext, scope: AppScope, userId: string, reason: string | null, actor: Actor = SYSTEM_ACTOR): Promise<number> {
  const appId = concreteApp(scope);
  const id = parseInput(identifierSchema, userId);
  const now = ctx.clock.now();
  await assertMayActOn(ctx, actor, appId, id);
  const changed = await ctx.repository.setUserDisabled(appId, id, now, reason, event(ctx, appId, "user.disabled", actor, { userId: id, details: { reason } }));
  if (!changed) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such user.", { userId: id });
  const revoked = await ctx.repository.revokeSessions(
    appId,
    { userId: id },
    revocation("USER_DISABLED", actor, reason, now),
    { at: now, type: "session.revoked", actor, details: { reason: "USER_DISABLED" } },
    null,
  );
  // What a person handed out ends with their access: service sessions acting for them and, for a
  // console account, those it started in any application.
  const delegated = await ctx.repository.findDelegatedServiceSessions(appId === CONSOLE_APP_ID ? ALL_APPS : appId, now, {
    delegatedBy: appId === CONSOLE_APP_ID ? undefined : id,
    startedBy: appId === CONSOLE_APP_ID ? id : undefined,
  });
  let ended = 0;
  for (let i = 0; i < delegated.length; i += ctx.config.sweepBatchSize) {
    const batch = await ctx.repository.revokeSessions(
      appId === CONSOLE_APP_ID ? ALL_APPS : appId,
      { ids: delegated.slice(i, i + ctx.config.sweepBatchSize) },
      revocation("USER_DISABLED", actor, `delegated by ${id}, who was disabled`, now),
      { at: now, type: "session.revoked", actor, details: { reason: "USER_DISABLED", delegatedBy: id } },
      null,
    );
    ended += batch.length;
  }
  return revoked.length + ended;
}

export async function enableUser(ctx: EngineContext, scope: AppScope, userId: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  const appId = concreteApp(scope);
  const id = parseInput(identifierSchema, userId);
  const now = ctx.clock.now();
  if ((await ctx.repository.findUser(appId, id))?.disabledAt) {
    // A sign-in written in a transaction that began before the disable committed can leave a
    // session its revocation did not see (refused while the user is disabled): it does not come
    // back with the user.
    await ctx.repository.revokeSessions(
      appId,
      { userId: id },
      revocation("USER_DISABLED", actor, "started while the user was being disabled", now),
      { at: now, type: "session.revoked", actor, details: { reason: "USER_DISABLED" } },
      null,
    );
  }
  const changed = await ctx.repository.setUserDisabled(appId, id, null, null, event(ctx, appId, "user.enabled", actor, { userId: id }));
  if (!changed) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such user.", { userId: id });
}
