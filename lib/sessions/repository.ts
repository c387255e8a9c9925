import type { RefusalEntry, RefusalFilter, RefusalView } from "./refusal-log";
import type {
  AuditEventInput,
  AuditEventView,
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
  secretHash: string;
  data: string | null;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

export interface SweptSessionRecord {
  id: string;
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
 * Storage behind the engine. Every method that changes a session is atomic and writes the audit
 * events it is given in the same transaction; every conditional write re-checks its condition
 * in the database, so that concurrent callers cannot both win.
 */
export interface SessionRepository {
  findSession(id: string): Promise<SessionRecord | null>;
  findSessionWithUser(id: string): Promise<{ session: SessionRecord; user: UserRecord } | null>;
  findUser(id: string): Promise<UserRecord | null>;
  findUserByEmail(email: string): Promise<UserRecord | null>;

  /** Inserts a session, creating its user row if the id is new. */
  insertSession(session: SessionRecord, events: AuditEventInput[]): Promise<void>;

  /**
   * Sets last-seen to `now` and the idle expiry to `idleExpiresAt`, only while the session is
   * unrevoked, unexpired at `now`, and last seen at or before `staleBefore`.
   */
  touchSession(id: string, now: Date, staleBefore: Date, idleExpiresAt: Date): Promise<boolean>;

  /**
   * Compare-and-swap: if `oldId` is still live at `revocation.revokedAt`, revokes it (linking it
   * to the successor) and inserts `successor`. Returns false, changing nothing, otherwise.
   */
  rotateSession(
    oldId: string,
    revocation: RevocationFields,
    successor: SessionRecord,
    events: AuditEventInput[],
  ): Promise<boolean>;

  /** Revokes one unrevoked session; false if it was already revoked or does not exist. */
  revokeSession(
    id: string,
    revocation: RevocationFields,
    event: AuditEventInput,
    options?: { ownerUserId?: string },
  ): Promise<boolean>;

  /**
   * Revokes every unrevoked session of a user or of a rotation family (optionally sparing one),
   * writing `perSession` for each, with that session's id and owner, and `summary` once (its
   * details gain `revoked`, the count). Returns the ids of the sessions it revoked.
   */
  revokeSessions(
    scope: { userId: string; exceptSessionId?: string } | { familyId: string },
    revocation: RevocationFields,
    perSession: Omit<AuditEventInput, "sessionId" | "userId">,
    summary: AuditEventInput | null,
  ): Promise<string[]>;

  /** Changes label or tenant of a session (of `ownerUserId`, when given); false if not found. */
  updateSession(
    id: string,
    data: { deviceLabel?: string | null; tenantId?: string | null },
    event: AuditEventInput,
    options?: { ownerUserId?: string },
  ): Promise<boolean>;

  /** Sets when a live session's person last authenticated; false if it is not live at `now`. */
  confirmAuthentication(id: string, now: Date, event: AuditEventInput): Promise<boolean>;

  listSessions(request: SessionPageRequest, now: Date): Promise<SessionRecord[]>;
  listLiveUserSessions(userId: string, now: Date): Promise<SessionRecord[]>;

  /** Counts, by how they ended, the sessions dead since before `cutoff`. */
  countSweepable(cutoff: Date): Promise<SweepCounts>;
  /**
   * Deletes up to `limit` sessions dead since before `cutoff`, leaving a tombstone for each;
   * re-checks the condition in the delete so that nothing live is ever removed.
   */
  sweepBatch(cutoff: Date, now: Date, limit: number): Promise<SweepCounts & { scanned: number }>;
  findSweptSession(id: string): Promise<SweptSessionRecord | null>;

  setUserDisabled(userId: string, disabledAt: Date | null, reason: string | null, event: AuditEventInput): Promise<boolean>;

  insertOAuthState(state: OAuthStateRecord, event: AuditEventInput): Promise<void>;
  findOAuthState(id: string): Promise<OAuthStateRecord | null>;
  /** Marks a state consumed if it is unconsumed and unexpired at `now`; exactly one caller wins. */
  consumeOAuthState(id: string, now: Date, event: AuditEventInput): Promise<boolean>;

  appendEvents(events: AuditEventInput[]): Promise<void>;

  insertRefusals(entries: RefusalEntry[]): Promise<void>;
  deleteRefusalsBefore(cutoff: Date): Promise<number>;
  /** Refusals, newest first. */
  listRefusals(filter: RefusalFilter): Promise<RefusalView[]>;

  /**
   * Takes or renews the lease `name` for `holder` until `expiresAt`, if it is free, expired at
   * `now`, or already held by `holder`; exactly one of several contenders gets it.
   */
  acquireLease(name: string, holder: string, now: Date, expiresAt: Date): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  /** Counts and distributions of sessions as of `now`, for the overview. */
  statistics(now: Date): Promise<SessionStatistics>;
  listEvents(filter: AuditEventFilter): Promise<AuditEventView[]>;
}
