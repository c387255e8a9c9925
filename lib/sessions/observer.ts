import type { RefusalReason } from "./errors";
import type { RefusalOperation } from "./refusal-log";
import type { SessionRepository } from "./repository";
import type { SessionKind, SweepCounts } from "./types";

/**
 * What the engine reports as it works, for metrics. Every method is called on the request path
 * and must return at once (a counter increment, no I/O).
 */
export interface EngineObserver {
  /** A token judged for `operation`: accepted (`refusal` null) or refused, and why. */
  tokenChecked(operation: RefusalOperation, refusal: RefusalReason | null): void;
  /** New sign-ins (not the successors of rotations). */
  sessionsCreated(kind: SessionKind, count: number): void;
  /** Sign-ins ended before their time: the revoke reason, or POLICY when a shorter policy ended them. */
  sessionsEnded(reason: string, count: number): void;
  /** Tokens replaced by a rotation (the sign-in goes on under the new one). */
  sessionsRotated(count: number): void;
  /** One batch of a sweep, deleted. */
  sessionsSwept(counts: SweepCounts): void;
  /** A sweep (not a dry run) begins, and ends whichever way it ends. */
  sweepStarted(): void;
  sweepFinished(): void;
}

/** The reason sessions ended by a shorter policy carry in `sessionsEnded` (they expired; none was revoked). */
export const POLICY_ENDED = "POLICY";

/**
 * The repository with every write that starts, ends or deletes sessions reported to `observer`,
 * counted from what the database says it did (a refused insert, a lost compare-and-swap or a
 * revocation of an already-revoked session counts nothing).
 */
export function observedRepository(base: SessionRepository, observer: EngineObserver): SessionRepository {
  return {
    ...base,
    async insertSession(session, events, limit, profile) {
      const result = await base.insertSession(session, events, limit, profile);
      if (result.inserted) observer.sessionsCreated(session.kind as SessionKind, 1);
      if (result.ended.length > 0) observer.sessionsEnded("SESSION_LIMIT", result.ended.length);
      return result;
    },

    async rotateSession(app, oldId, revocation, successor, events, limit) {
      const result = await base.rotateSession(app, oldId, revocation, successor, events, limit);
      if (result.outcome === "rotated") observer.sessionsRotated(1);
      if (result.ended.length > 0) observer.sessionsEnded("SESSION_LIMIT", result.ended.length);
      return result;
    },

    async revokeSession(app, id, revocation, event, options) {
      const revoked = await base.revokeSession(app, id, revocation, event, options);
      if (revoked) observer.sessionsEnded(revocation.revokedReason, 1);
      return revoked;
    },

    async revokeSessions(app, target, revocation, perSession, summary, options) {
      const ids = await base.revokeSessions(app, target, revocation, perSession, summary, options);
      if (ids.length > 0) observer.sessionsEnded(revocation.revokedReason, ids.length);
      return ids;
    },

    async endSessionsOverLimit(appId, max, action, now, afterUserId, limit, revocation, perSession) {
      const result = await base.endSessionsOverLimit(appId, max, action, now, afterUserId, limit, revocation, perSession);
      if (result.ended.length > 0) observer.sessionsEnded(revocation.revokedReason, result.ended.length);
      return result;
    },

    async shortenToPolicy(appId, policy, now, afterId, limit, perSession) {
      const result = await base.shortenToPolicy(appId, policy, now, afterId, limit, perSession);
      if (result.ended > 0) observer.sessionsEnded(POLICY_ENDED, result.ended);
      return result;
    },

    async sweepBatch(app, cutoff, now, limit, cursor) {
      const batch = await base.sweepBatch(app, cutoff, now, limit, cursor);
      observer.sessionsSwept(batch);
      return batch;
    },
  };
}
