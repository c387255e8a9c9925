import type { AppScope, ApplicationRecord, SessionLimitAction, SessionPolicy } from "./policy";
import type { RefusalEntry, RefusalFilter, RefusalView } from "./refusal-log";
import type {
  AuditEventInput,
  AuditEventView,
  SessionFilter,
  SessionPageRequest,
  SessionRecord,
  SessionStatistics,
  SweepCounts,
  UserRecord,
} from "./types";

/** Fields written when a session is ended early. */
export interface RevocationFields {
  revokedAt: Date;
  revokedReason: string;
  revokedBy: string;
  revokeNote: string | null;
}

export interface OAuthStateRecord {
  id: string;
  appId: string;
  secretHash: string;
  data: string | null;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

export interface SweptSessionRecord {
  id: string;
  appId: string;
  userId: string;
  kind: string;
  status: string;
  revokedReason: string | null;
  endedAt: Date;
  createdAt: Date;
  sweptAt: Date;
}

export interface AuditEventFilter {
  sessionId?: string;
  userId?: string;
  type?: string;
  /** An actor's id, or text found in its label (an email, a key's name). */
  actor?: string;
  from?: Date;
  to?: Date;
  /** Only events with a smaller id (the next page, newest first). */
  before?: number;
  limit: number;
}

/**
 * The limit of live sessions per user that a new session is checked against, inside the insert's
 * transaction: at the limit, the sessions it picks are ended (with `revocation` and an event each)
 * or the insert is refused.
 */
export interface SessionLimitCheck {
  max: number;
  action: SessionLimitAction;
  now: Date;
  revocation: RevocationFields;
  /** The event written for each ended session (its id and owner are filled in). */
  perSession: Omit<AuditEventInput, "sessionId" | "userId">;
  /** The revocation note of an ended session, from how many live sessions its user held. */
  note: (liveBefore: number) => string;
}

/** What a policy change would do to the live sessions of an application, at `now`. */
export interface PolicyImpact {
  /** Live sessions the change ends at once (by either timeout). */
  ended: number;
  /** Of those, the ones past the new absolute cap. */
  endedByAbsolute: number;
  /** Of those, the ones idle longer than the new idle timeout (and not past the cap). */
  endedByIdle: number;
  /** Users holding more live sessions than the new limit (after the timeouts), and the sessions above it. */
  usersOverLimit: number;
  endedByLimit: number;
}

/** Which sessions a bulk revocation reaches: a user's, a rotation family, or given ids. */
/** A user's email and name as an application knows them, given when it starts a session. */
export interface UserProfile {
  email: string | null;
  name: string | null;
}

/**
 * Where a sweep stands: batches picked through the dead sessions' indexes, a walk through the
 * table's pages (PostgreSQL), `pages` at a time, from `page` to `end`, or a rebuild of the table
 * without its dead sessions, in one step (SQLite).
 */
export type SweepCursor = { by: "index" } | { by: "pages"; page: number; pages: number; end: number } | { by: "rebuild" };

export type RevocationTarget = { userId: string; exceptSessionId?: string } | { familyId: string } | { ids: string[] };

/**
 * Storage behind the engine. Every call names the application it reaches (AppScope): what lies
 * in another application is not found, not listed and not changed, whatever the caller forgot.
 * Every method that changes a session is atomic and writes the audit events it is given in the
 * same transaction; every conditional write re-checks its condition in the database, so that
 * concurrent callers cannot both win.
 */
export interface DeadSessionFigures {
  /** One per cutoff, in the order given. */
  endedBy: SweepCounts[];
  retained: { count: number; firstEndedAt: Date | null };
}

export interface SessionRepository {
  findApplication(id: string): Promise<ApplicationRecord | null>;
  listApplications(): Promise<ApplicationRecord[]>;
  insertApplication(app: ApplicationRecord, event: AuditEventInput): Promise<void>;
  /** Changes an application's name, disabled time or policy; false when there is no such application (or the name is taken: throws). */
  updateApplication(id: string, changes: Partial<Pick<ApplicationRecord, "name" | "disabledAt"> & SessionPolicy>, event: AuditEventInput): Promise<boolean>;
  /** Live sessions per application, at `now`. */
  countLiveSessionsByApplication(now: Date): Promise<Map<string, number>>;
  /** What `policy` would end among the application's live sessions at `now`, if it applied. Reads only. */
  previewPolicy(appId: string, policy: SessionPolicy, now: Date): Promise<PolicyImpact>;
  /**
   * Applies `policy`'s timeouts to up to `limit` of the application's live sessions with ids after
   * `afterId` (in id order), shortening expiries (never lengthening them); each session that ends
   * by it gets `perSession` (its details gain `ended`: "absolute" or "idle"). Returns the last id
   * seen (null when none was left), how many it looked at, and how many ended.
   */
  shortenToPolicy(
    appId: string,
    policy: SessionPolicy,
    now: Date,
    afterId: string | null,
    limit: number,
    perSession: Omit<AuditEventInput, "sessionId" | "userId">,
  ): Promise<{ lastId: string | null; scanned: number; ended: number }>;
  /**
   * Ends, for up to `limit` users (after `afterUserId`, in id order) holding more than `max` live
   * sessions, the sessions above the limit: the least recently used first, or the oldest with
   * END_OLDEST. Returns the last user id seen (null when none was left) and the ids it ended.
   */
  endSessionsOverLimit(
    appId: string,
    max: number,
    action: SessionLimitAction,
    now: Date,
    afterUserId: string | null,
    limit: number,
    revocation: RevocationFields,
    perSession: Omit<AuditEventInput, "sessionId" | "userId">,
  ): Promise<{ lastUserId: string | null; ended: string[] }>;

  findSession(app: AppScope, id: string): Promise<SessionRecord | null>;
  findSessionWithUser(app: AppScope, id: string): Promise<{ session: SessionRecord; user: UserRecord } | null>;
  findUser(appId: string, id: string): Promise<UserRecord | null>;
  findUserByEmail(appId: string, email: string): Promise<UserRecord | null>;
  /** Users whose id is `query` or whose email is it (lower-cased), in `scope`: at most one per application. */
  findUsersByIdOrEmail(app: AppScope, query: string): Promise<UserRecord[]>;
  /** Users whose id starts with `text`, or whose email or name contains it: the users search. */
  searchUsers(app: AppScope, text: string, limit: number): Promise<UserRecord[]>;

  /**
   * Inserts a session (in its record's application), creating its user row if the id is new.
   * With `limit`, the user's live sessions are counted in the same transaction (one insert per
   * user at a time): at the limit, the oldest or least recently used are ended, or nothing is
   * inserted (`inserted: false`). Returns the ids it ended. With `profile`, the user row takes the
   * email and name given (those given, not null), unless another user of the application has
   * that email already: then the email is left as it was.
   */
  insertSession(session: SessionRecord, events: AuditEventInput[], limit?: SessionLimitCheck, profile?: UserProfile): Promise<{ inserted: boolean; ended: string[]; disabled?: boolean }>;

  /**
   * Sets last-seen to `now` and the idle expiry to `idleExpiresAt`, only while the session is
   * unrevoked, unexpired at `now`, and last seen at or before `staleBefore`.
   */
  touchSession(app: AppScope, id: string, now: Date, staleBefore: Date, idleExpiresAt: Date): Promise<boolean>;

  /**
   * Compare-and-swap: if `oldId` is still live at `revocation.revokedAt`, revokes it (linking it
   * to the successor) and inserts `successor`; otherwise "conflict", changing nothing. With
   * `limit` (a guest upgraded to a user), the successor's user is held to it as by insertSession:
   * the sessions it ended are returned, or "limit" (changing nothing) when it refuses.
   */
  rotateSession(
    app: AppScope,
    oldId: string,
    revocation: RevocationFields,
    successor: SessionRecord,
    events: AuditEventInput[],
    limit?: SessionLimitCheck,
  ): Promise<{ outcome: "rotated" | "conflict" | "limit"; ended: string[] }>;

  /** Revokes one unrevoked session; false if it was already revoked or does not exist. */
  revokeSession(
    app: AppScope,
    id: string,
    revocation: RevocationFields,
    event: AuditEventInput,
    options?: { ownerUserId?: string },
  ): Promise<boolean>;

  /**
   * Revokes every unrevoked session of a user, of a rotation family (optionally sparing one), or
   * of the given ids, writing `perSession` for each, with that session's id, owner and
   * application, and `summary` once (its details gain `revoked`, the count) if it revoked any,
   * or even then with `summaryWhenNone`. Returns the ids it revoked.
   */
  revokeSessions(
    app: AppScope,
    target: RevocationTarget,
    revocation: RevocationFields,
    perSession: Omit<AuditEventInput, "sessionId" | "userId" | "appId">,
    summary: AuditEventInput | null,
    options?: { summaryWhenNone?: boolean },
  ): Promise<string[]>;

  /**
   * Live service sessions handed out on someone's behalf: those whose `delegatedBy` is `userId`
   * (in `app`), and those a console account `startedBy` started, in any application (from the
   * audit event that created them). Ids only, read through the live-sessions index.
   */
  findDelegatedServiceSessions(app: AppScope, now: Date, by: { delegatedBy?: string; startedBy?: string }): Promise<string[]>;

  /** Changes label or tenant of a session (of `ownerUserId`, when given); false if not found. */
  updateSession(
    app: AppScope,
    id: string,
    data: { deviceLabel?: string | null; tenantId?: string | null },
    event: AuditEventInput,
    options?: { ownerUserId?: string },
  ): Promise<boolean>;

  /** Sets when a live session's person last authenticated; false if it is not live at `now`. */
  confirmAuthentication(app: AppScope, id: string, now: Date, event: AuditEventInput): Promise<boolean>;

  listSessions(app: AppScope, request: SessionPageRequest, now: Date): Promise<SessionRecord[]>;
  /** Sessions matching `filter`, counted up to `cap` (a count of every match at a million rows costs more than a page). */
  countSessions(app: AppScope, filter: SessionFilter, now: Date, cap: number): Promise<number>;
  listLiveUserSessions(appId: string, userId: string, now: Date): Promise<SessionRecord[]>;
  /** Live sessions matching `filter`, counted. */
  countLiveMatching(app: AppScope, filter: SessionFilter, now: Date): Promise<number>;
  /** Up to `limit` ids of live sessions matching `filter`, in id order, after `afterId`. */
  pickLiveMatching(app: AppScope, filter: SessionFilter, now: Date, afterId: string | null, limit: number): Promise<string[]>;

  /**
   * Sessions that have ended (at `now`) but not before `cutoff`: kept for the retention, not yet
   * sweepable. Their count, and when the first of them ended.
   */
  countInRetention(app: AppScope, cutoff: Date, now: Date): Promise<{ count: number; firstEndedAt: Date | null }>;
  /** Counts, by how they ended, the sessions dead since before `cutoff`. */
  countSweepable(app: AppScope, cutoff: Date): Promise<SweepCounts>;
  /**
   * Dead sessions (at `now`) by when they ended, in one read: for each of `cutoffs` (newest
   * first), those that ended at or before it, counted by how they ended; and those that ended
   * after the first cutoff (kept for the retention, not yet sweepable), with when the first of
   * them ended.
   */
  deadSessionFigures(app: AppScope, now: Date, cutoffs: Date[]): Promise<DeadSessionFigures>;
  /**
   * How a sweep in batches of about `batchSize` goes through the sessions dead since before
   * `cutoff`: by the dead sessions' indexes, or, when a large part of the table is to go, through
   * the table's pages in order (PostgreSQL), which reads each page once instead of once for each
   * dead session on it, or by rebuilding the table without them (SQLite). Each cursor is a lane of
   * its own, walked beside the others.
   */
  planSweep(app: AppScope, cutoff: Date, batchSize: number): Promise<SweepCursor[]>;
  /**
   * Deletes a batch of sessions dead since before `cutoff`, leaving a tombstone for each: up to
   * `limit` of them by the indexes, those in the stretch of table `cursor` names, or all of them
   * by a rebuild (which ignores `limit`: a sweep in steps never plans one). Re-checks the
   * condition in the delete so that nothing live is ever removed. `next` is where the sweep goes
   * on from, null when it is done.
   */
  sweepBatch(app: AppScope, cutoff: Date, now: Date, limit: number, cursor: SweepCursor): Promise<SweepCounts & { scanned: number; next: SweepCursor | null }>;
  /** Lets go of the device texts no session holds any more (see the migrations), around sweeps. */
  pruneDeviceTexts(): Promise<void>;
  findSweptSession(app: AppScope, id: string): Promise<SweptSessionRecord | null>;
  /** Deletes OAuth states that expired or were consumed before `cutoff`; returns how many. */
  deleteOAuthStatesBefore(app: AppScope, cutoff: Date): Promise<number>;

  setUserDisabled(appId: string, userId: string, disabledAt: Date | null, reason: string | null, event: AuditEventInput): Promise<boolean>;

  insertOAuthState(state: OAuthStateRecord, event: AuditEventInput): Promise<void>;
  findOAuthState(appId: string, id: string): Promise<OAuthStateRecord | null>;
  /** Marks a state consumed if it is unconsumed and unexpired at `now`; exactly one caller wins. */
  consumeOAuthState(appId: string, id: string, now: Date, event: AuditEventInput): Promise<boolean>;

  appendEvents(events: AuditEventInput[]): Promise<void>;

  insertRefusals(entries: RefusalEntry[]): Promise<void>;
  deleteRefusalsBefore(cutoff: Date): Promise<number>;
  /** Refusals, newest first. */
  listRefusals(app: AppScope, filter: RefusalFilter): Promise<RefusalView[]>;

  /**
   * Takes or renews the lease `name` for `holder` until `expiresAt`, if it is free, expired at
   * `now`, or already held by `holder`; exactly one of several contenders gets it.
   */
  acquireLease(name: string, holder: string, now: Date, expiresAt: Date): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  /** Counts and distributions of sessions as of `now`, for the overview. */
  statistics(app: AppScope, now: Date): Promise<SessionStatistics>;
  listEvents(app: AppScope, filter: AuditEventFilter): Promise<AuditEventView[]>;
}
