import type { Clock } from "./clock";
import type { SessionConfig } from "./config";
import { ErrorCode, RefusalReason, SessionError, refusalError } from "./errors";
import { createDiagnostics, type Diagnosis } from "./diagnose";
import type { RefusalOperation, RefusalSink, RequestContext } from "./refusal-log";
import type { RevocationFields, SessionRepository, SweptSessionRecord } from "./repository";
import {
  createGuestSessionSchema,
  createSessionSchema,
  deviceLabelSchema,
  identifierSchema,
  issueOAuthStateSchema,
  listSessionsSchema,
  parseInput,
  revokeSchema,
  sessionIdSchema,
  sweepSchema,
  type CreateGuestSessionInput,
  type CreateSessionInput,
  type IssueOAuthStateInput,
  type ListSessionsInput,
  type RevokeInput,
  type SweepInput,
  auditFilterSchema,
  diagnoseSchema,
  type DiagnoseInput,
  createServiceSessionSchema,
  type CreateServiceSessionInput,
  type AuditFilterInput,
} from "./schemas";
import { sessionStatus } from "./status";
import { generateId, issueToken, parseToken, secretMatches } from "./tokens";
import {
  SYSTEM_ACTOR,
  type Actor,
  type AuditEventInput,
  type AuditEventView,
  type SessionKind,
  type SessionRecord,
  type SessionStatistics,
  type SessionView,
  type SweepCounts,
  type UserRecord,
  type UserView,
} from "./types";
import { MAX_USER_AGENT_LENGTH, parseUserAgent } from "./user-agent";

export interface SessionEngineDeps {
  repository: SessionRepository;
  config: SessionConfig;
  clock: Clock;
  /** Where refused tokens are reported (see refusal-log.ts); none, and they are not recorded. */
  refusals?: RefusalSink;
}

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
}

export type ResolveResult = AuthContext | Refusal;

export interface IssuedSession {
  /** The session token. Returned once; only its hash is kept. */
  token: string;
  session: SessionView;
}

export interface SessionPage {
  items: SessionView[];
  nextCursor: string | null;
}

export interface SweepResult extends SweepCounts {
  dryRun: boolean;
  total: number;
  cutoff: Date;
}

const SECOND = 1000;

function revokedByLabel(actor: Actor): string {
  return `${actor.type}:${actor.label ?? actor.id ?? "unknown"}`;
}

/** The typed error for a refusal: its reason, and for an ended session who ended it, when and why. */
function refused(refusal: Refusal): SessionError {
  const { sessionId, revokedReason, revokedAt, revokedBy } = refusal;
  return refusalError(refusal.reason, { sessionId, revokedReason, revokedAt: revokedAt?.toISOString() ?? null, revokedBy });
}

function rotationConflict(sessionId: string): SessionError {
  return new SessionError(
    ErrorCode.ROTATION_CONFLICT,
    "This token was just replaced by a concurrent request; use the token that request received.",
    { sessionId },
  );
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** The public shape of a session: derived status, parsed roles and metadata, no secret hash. */
export function toSessionView(record: SessionRecord, now: Date): SessionView {
  return {
    id: record.id,
    userId: record.userId,
    kind: record.kind as SessionKind,
    status: sessionStatus(record, now),
    tenantId: record.tenantId,
    roles: parseJson<string[]>(record.roles, []),
    deviceLabel: record.deviceLabel,
    userAgent: record.userAgent,
    browser: record.browser,
    os: record.os,
    deviceType: record.deviceType,
    ip: record.ip,
    metadata: parseJson<Record<string, unknown>>(record.metadata, {}),
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    authenticatedAt: record.authenticatedAt,
    idleTimeoutSeconds: record.idleTimeoutSeconds,
    idleExpiresAt: record.idleExpiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    revokedAt: record.revokedAt,
    revokedReason: record.revokedReason,
    revokedBy: record.revokedBy,
    revokeNote: record.revokeNote,
    familyId: record.familyId,
    rotatedFromId: record.rotatedFromId,
    rotatedToId: record.rotatedToId,
    guestUserId: record.guestUserId,
  };
}

export function toUserView(user: UserRecord): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    consoleRole: user.consoleRole,
    mustChangePassword: user.mustChangePassword,
    disabledAt: user.disabledAt,
  };
}

function encodeCursor(value: Date, id: string): string {
  return Buffer.from(JSON.stringify([value.getTime(), id])).toString("base64url");
}

function decodeCursor(cursor: string): { value: Date; id: string } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      Number.isSafeInteger(decoded[0]) &&
      typeof decoded[1] === "string" &&
      decoded[1].length <= 64
    ) {
      return { value: new Date(decoded[0] as number), id: decoded[1] };
    }
  } catch {
    // fall through to the validation error
  }
  throw new SessionError(ErrorCode.VALIDATION_FAILED, "Invalid input: cursor: is not a cursor from a previous page.", {
    issues: [{ field: "cursor", message: "is not a cursor from a previous page" }],
  });
}

/**
 * The session engine: every lifecycle operation, over a repository, with configuration and a
 * clock passed in. Framework-free; route handlers, server actions, scripts and tests all call it.
 */
export function createSessionEngine({ repository, config, clock, refusals }: SessionEngineDeps) {
  function event(type: string, actor: Actor, fields: Omit<AuditEventInput, "at" | "type" | "actor"> = {}): AuditEventInput {
    return { at: clock.now(), type, actor, ...fields };
  }

  function revocation(reason: string, actor: Actor, note: string | null | undefined, at: Date): RevocationFields {
    return { revokedAt: at, revokedReason: reason, revokedBy: revokedByLabel(actor), revokeNote: note ?? null };
  }

  function refusal(reason: RefusalReason, record?: SessionRecord | null): Refusal {
    return {
      authenticated: false,
      reason,
      code: refusalError(reason).code,
      sessionId: record?.id ?? null,
      userId: reason === RefusalReason.SECRET_MISMATCH ? null : (record?.userId ?? null),
      revokedReason: reason === RefusalReason.SECRET_MISMATCH ? null : (record?.revokedReason ?? null),
      revokedAt: reason === RefusalReason.SECRET_MISMATCH ? null : (record?.revokedAt ?? null),
      revokedBy: reason === RefusalReason.SECRET_MISMATCH ? null : (record?.revokedBy ?? null),
    };
  }

  function buildRecord(
    input: {
      userId: string;
      kind: SessionKind;
      deviceLabel?: string | null;
      userAgent?: string | null;
      ip?: string | null;
      tenantId?: string | null;
      roles: string[];
      metadata: Record<string, unknown>;
      idleTimeoutSeconds?: number;
      absoluteTimeoutSeconds?: number;
    },
    id: string,
    secretHash: string,
    now: Date,
  ): SessionRecord {
    const idleTimeoutSeconds = input.idleTimeoutSeconds ?? config.idleTimeoutSeconds;
    const absoluteTimeoutSeconds = input.absoluteTimeoutSeconds ?? config.absoluteTimeoutSeconds;
    if (idleTimeoutSeconds > absoluteTimeoutSeconds) {
      throw new SessionError(
        ErrorCode.VALIDATION_FAILED,
        "Invalid input: idleTimeoutSeconds: must not exceed absoluteTimeoutSeconds.",
        { issues: [{ field: "idleTimeoutSeconds", message: "must not exceed absoluteTimeoutSeconds" }] },
      );
    }
    const userAgent = input.userAgent ? input.userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null;
    const parsed = parseUserAgent(userAgent);
    const absoluteExpiresAt = new Date(now.getTime() + absoluteTimeoutSeconds * SECOND);
    return {
      id,
      secretHash,
      userId: input.userId,
      kind: input.kind,
      tenantId: input.tenantId ?? null,
      roles: JSON.stringify(input.roles),
      deviceLabel: input.deviceLabel ?? null,
      userAgent,
      browser: parsed.browser,
      os: parsed.os,
      deviceType: parsed.deviceType,
      ip: input.ip ?? null,
      metadata: JSON.stringify(input.metadata),
      createdAt: now,
      lastSeenAt: now,
      authenticatedAt: now,
      idleTimeoutSeconds,
      idleExpiresAt: new Date(Math.min(now.getTime() + idleTimeoutSeconds * SECOND, absoluteExpiresAt.getTime())),
      absoluteExpiresAt,
      revokedAt: null,
      revokedReason: null,
      revokedBy: null,
      revokeNote: null,
      familyId: id,
      rotatedFromId: null,
      rotatedToId: null,
      guestUserId: null,
    };
  }

  /** A successor for `old` with a fresh token: same family, same absolute cap. */
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

  async function assertUserEnabled(userId: string): Promise<void> {
    const user = await repository.findUser(userId);
    if (user?.disabledAt) {
      throw new SessionError(ErrorCode.USER_DISABLED, "This user is disabled and cannot start new sessions.", { userId });
    }
  }

  async function insertNewSession(
    input: Parameters<typeof buildRecord>[0],
    actor: Actor,
    extraDetails: Record<string, unknown> = {},
  ): Promise<IssuedSession> {
    await assertUserEnabled(input.userId);
    const now = clock.now();
    const issued = issueToken("session");
    const record = buildRecord(input, issued.id, issued.secretHash, now);
    await repository.insertSession(record, [
      event("session.created", actor, {
        sessionId: record.id,
        userId: record.userId,
        details: { kind: record.kind, tenantId: record.tenantId, ip: record.ip, deviceLabel: record.deviceLabel, ...extraDetails },
      }),
    ]);
    return { token: issued.token, session: toSessionView(record, now) };
  }

  /**
   * Looks a token up and checks it: secret, revocation, expiry, user. Rotated tokens presented
   * after the grace window revoke their whole family. Does not touch. A refusal is reported to
   * the refusal sink, with where the token came from.
   */
  async function check(
    token: unknown,
    operation: RefusalOperation,
    request: RequestContext = {},
  ): Promise<{ ok: true; session: SessionRecord; user: UserRecord } | { ok: false; refusal: Refusal }> {
    const checked = await judge(token);
    if (!checked.ok && refusals) {
      const { refusal } = checked;
      refusals.record({
        at: clock.now(),
        reason: refusal.reason,
        operation,
        source: request.source ?? "engine",
        sessionId: refusal.sessionId ?? parseToken("session", token)?.id ?? null,
        userId: refusal.userId,
        revokedReason: refusal.revokedReason,
        ip: request.ip ?? null,
        userAgent: request.userAgent ?? null,
      });
    }
    return checked;
  }

  async function judge(token: unknown): Promise<{ ok: true; session: SessionRecord; user: UserRecord } | { ok: false; refusal: Refusal }> {
    const parsed = parseToken("session", token);
    if (!parsed) return { ok: false, refusal: refusal(RefusalReason.MALFORMED) };
    const found = await repository.findSessionWithUser(parsed.id);
    if (!found) return { ok: false, refusal: refusal(RefusalReason.UNKNOWN) };
    const { session, user } = found;
    if (!secretMatches(parsed.secret, session.secretHash)) {
      return { ok: false, refusal: refusal(RefusalReason.SECRET_MISMATCH, session) };
    }
    const now = clock.now();
    if (session.revokedAt) {
      if (session.revokedReason === "ROTATED") return checkRotated(session, user, now);
      return { ok: false, refusal: refusal(RefusalReason.REVOKED, session) };
    }
    const status = sessionStatus(session, now);
    if (status === "absolute-expired") return { ok: false, refusal: refusal(RefusalReason.ABSOLUTE_EXPIRED, session) };
    if (status === "idle-expired") return { ok: false, refusal: refusal(RefusalReason.IDLE_EXPIRED, session) };
    if (user.disabledAt) return { ok: false, refusal: refusal(RefusalReason.USER_DISABLED, session) };
    return { ok: true, session, user };
  }

  /**
   * A token that was rotated away. Inside the grace window (requests that were in flight during
   * the rotation) it still works while its successor is live; after it, presenting it again
   * means two parties hold the token, so the whole family is revoked.
   */
  async function checkRotated(
    session: SessionRecord,
    user: UserRecord,
    now: Date,
  ): Promise<{ ok: true; session: SessionRecord; user: UserRecord } | { ok: false; refusal: Refusal }> {
    const rotatedAt = (session.revokedAt as Date).getTime();
    if (now.getTime() - rotatedAt <= config.rotationGraceSeconds * SECOND) {
      const successor = session.rotatedToId ? await repository.findSession(session.rotatedToId) : null;
      if (successor && sessionStatus(successor, now) === "active" && !user.disabledAt) {
        return { ok: true, session, user };
      }
      return { ok: false, refusal: refusal(RefusalReason.REVOKED, session) };
    }
    const actor: Actor = { type: "system", label: "reuse-detection" };
    await repository.revokeSessions(
      { familyId: session.familyId },
      revocation("REUSE_DETECTED", actor, `rotated token of session ${session.id} presented again`, now),
      event("session.revoked", actor, { details: { reason: "REUSE_DETECTED" } }),
      event("session.reuse_detected", actor, {
        sessionId: session.id,
        userId: session.userId,
        details: { familyId: session.familyId, rotatedAt: session.revokedAt?.toISOString() },
      }),
    );
    return { ok: false, refusal: refusal(RefusalReason.REUSE_DETECTED, session) };
  }

  function context(session: SessionRecord, user: UserRecord, now: Date): AuthContext {
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

  /** Slides the idle expiry if the last write is older than the touch interval. */
  async function touchIfDue(session: SessionRecord, now: Date, force: boolean): Promise<SessionRecord> {
    if (session.revokedAt) return session;
    const interval = force ? 0 : config.touchIntervalSeconds * SECOND;
    if (now.getTime() - session.lastSeenAt.getTime() < interval || now.getTime() <= session.lastSeenAt.getTime()) {
      return session;
    }
    const idleExpiresAt = new Date(
      Math.min(now.getTime() + session.idleTimeoutSeconds * SECOND, session.absoluteExpiresAt.getTime()),
    );
    const touched = await repository.touchSession(session.id, now, new Date(now.getTime() - interval), idleExpiresAt);
    return touched ? { ...session, lastSeenAt: now, idleExpiresAt } : session;
  }

  /** The session after an update, or SESSION_NOT_FOUND when the update matched nothing. */
  async function viewAfterUpdate(sessionId: string, updated: boolean): Promise<SessionView> {
    if (!updated) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId });
    return engine.getSessionOrThrow(sessionId);
  }

  const diagnostics = createDiagnostics({ repository, config, clock, view: toSessionView, userView: toUserView });

  const engine = {
    config,

    /** Starts a session and returns its token, once. */
    async createSession(input: CreateSessionInput, actor: Actor = SYSTEM_ACTOR): Promise<IssuedSession> {
      const valid = parseInput(createSessionSchema, input);
      return insertNewSession(valid, actor);
    },

    /**
     * Starts a service session: user `service:<client>`, kind service, the scopes as its roles,
     * one short lifetime (idle and absolute alike). A person it acts for (`delegatedBy`) must
     * exist and be enabled, and is recorded on the session and in the audit log.
     */
    async createServiceSession(input: CreateServiceSessionInput, actor: Actor = SYSTEM_ACTOR): Promise<IssuedSession> {
      const valid = parseInput(createServiceSessionSchema, input);
      if (valid.delegatedBy) {
        const person = await repository.findUser(valid.delegatedBy);
        if (!person) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such user to act for.", { userId: valid.delegatedBy });
        if (person.disabledAt) throw new SessionError(ErrorCode.USER_DISABLED, "A disabled user cannot delegate.", { userId: valid.delegatedBy });
      }
      return insertNewSession(
        {
          userId: `service:${valid.client}`,
          kind: "service",
          deviceLabel: valid.client,
          tenantId: valid.tenantId ?? null,
          roles: valid.scopes,
          metadata: { ...valid.metadata, client: valid.client, delegatedBy: valid.delegatedBy ?? null },
          idleTimeoutSeconds: valid.ttlSeconds,
          absoluteTimeoutSeconds: valid.ttlSeconds,
        },
        actor,
        { client: valid.client, scopes: valid.scopes, delegatedBy: valid.delegatedBy ?? null, ttlSeconds: valid.ttlSeconds },
      );
    },

    /** Starts a session for a generated anonymous user id. */
    async createGuestSession(input: CreateGuestSessionInput = {}, actor: Actor = SYSTEM_ACTOR): Promise<IssuedSession> {
      const valid = parseInput(createGuestSessionSchema, input);
      return insertNewSession({ ...valid, userId: `guest_${generateId()}`, kind: "guest" }, actor);
    },

    /**
     * The auth context of a token, or why it was refused. A live session's idle expiry slides
     * forward (at most one write per touch interval, and never for a session ended meanwhile).
     */
    async resolveSession(token: unknown, request?: RequestContext, operation: RefusalOperation = "resolve"): Promise<ResolveResult> {
      const checked = await check(token, operation, request);
      if (!checked.ok) return checked.refusal;
      const now = clock.now();
      const session = await touchIfDue(checked.session, now, false);
      return context(session, checked.user, now);
    },

    /** Like resolveSession, but throws the typed error for a refused token. */
    async validateSession(token: unknown, request?: RequestContext, operation: RefusalOperation = "validate"): Promise<AuthContext> {
      const result = await engine.resolveSession(token, request, operation);
      if (!result.authenticated) throw refused(result);
      return result;
    },

    /** Slides the idle expiry now (clamped to the absolute cap), regardless of the touch interval. */
    async refreshSession(token: unknown, request?: RequestContext): Promise<AuthContext> {
      const checked = await check(token, "refresh", request);
      if (!checked.ok) throw refused(checked.refusal);
      const now = clock.now();
      const session = await touchIfDue(checked.session, now, true);
      return context(session, checked.user, now);
    },

    /**
     * Replaces a token with a new one: one atomic compare-and-swap, so of concurrent rotations
     * of the same token exactly one succeeds. The old token is revoked (ROTATED) and linked.
     */
    async rotateSession(token: unknown, actor: Actor = SYSTEM_ACTOR, request?: RequestContext): Promise<IssuedSession> {
      const checked = await check(token, "rotate", request);
      if (!checked.ok) throw refused(checked.refusal);
      const old = checked.session;
      // Only a token rotated inside the grace window gets here revoked: a concurrent rotation won.
      if (old.revokedAt) throw rotationConflict(old.id);
      const now = clock.now();
      const next = successorOf(old, now);
      const rotated = await repository.rotateSession(old.id, revocation("ROTATED", actor, null, now), next.record, [
        event("session.rotated", actor, { sessionId: old.id, userId: old.userId, details: { to: next.record.id } }),
        event("session.created", actor, { sessionId: next.record.id, userId: old.userId, details: { rotatedFrom: old.id, kind: old.kind } }),
      ]);
      if (!rotated) throw rotationConflict(old.id);
      return { token: next.token, session: toSessionView(next.record, now) };
    },

    /**
     * Turns a guest session into a user's: a new token (no session fixation), a fresh absolute
     * cap as for any sign-in, and the guest id recorded on the new session.
     */
    async upgradeGuestSession(
      token: unknown,
      userId: string,
      actor: Actor = SYSTEM_ACTOR,
      request?: RequestContext,
    ): Promise<IssuedSession> {
      const targetUserId = parseInput(identifierSchema, userId);
      const checked = await check(token, "upgrade", request);
      if (!checked.ok) throw refused(checked.refusal);
      const guest = checked.session;
      if (guest.revokedAt) throw rotationConflict(guest.id);
      if (guest.kind !== "guest") {
        throw new SessionError(ErrorCode.NOT_A_GUEST_SESSION, "Only a guest session can be upgraded; this token belongs to a user session.", {
          sessionId: guest.id,
        });
      }
      await assertUserEnabled(targetUserId);
      const now = clock.now();
      const next = successorOf(guest, now);
      const absoluteExpiresAt = new Date(now.getTime() + config.absoluteTimeoutSeconds * SECOND);
      const record: SessionRecord = {
        ...next.record,
        userId: targetUserId,
        kind: "user",
        guestUserId: guest.userId,
        authenticatedAt: now,
        absoluteExpiresAt,
        idleExpiresAt: new Date(Math.min(now.getTime() + guest.idleTimeoutSeconds * SECOND, absoluteExpiresAt.getTime())),
      };
      const upgraded = await repository.rotateSession(guest.id, revocation("ROTATED", actor, "guest upgraded", now), record, [
        event("session.guest_upgraded", actor, {
          sessionId: guest.id,
          userId: targetUserId,
          details: { guestUserId: guest.userId, to: record.id },
        }),
        event("session.created", actor, { sessionId: record.id, userId: targetUserId, details: { rotatedFrom: guest.id, kind: "user" } }),
      ]);
      if (!upgraded) throw rotationConflict(guest.id);
      return { token: next.token, session: toSessionView(record, now) };
    },

    /**
     * Ends one session. With `ownerUserId`, only that user's session can be ended (another
     * user's id is reported exactly like an unknown one). Returns false if it was already ended.
     */
    async revokeSession(
      sessionId: string,
      input: RevokeInput = {},
      actor: Actor = SYSTEM_ACTOR,
      options: { ownerUserId?: string } = {},
    ): Promise<boolean> {
      const id = parseInput(sessionIdSchema, sessionId);
      const valid = parseInput(revokeSchema, input);
      const now = clock.now();
      const existing = await repository.findSession(id);
      if (!existing || (options.ownerUserId !== undefined && existing.userId !== options.ownerUserId)) {
        throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId: id });
      }
      return repository.revokeSession(
        id,
        revocation(valid.reason, actor, valid.note, now),
        event("session.revoked", actor, { sessionId: id, userId: existing.userId, details: { reason: valid.reason, note: valid.note ?? null } }),
        options,
      );
    },

    /** "Log out everywhere": ends every live session of a user, optionally sparing one; returns the count. */
    async revokeUserSessions(
      userId: string,
      input: RevokeInput = {},
      actor: Actor = SYSTEM_ACTOR,
      options: { exceptSessionId?: string } = {},
    ): Promise<number> {
      const id = parseInput(identifierSchema, userId);
      const valid = parseInput(revokeSchema, { reason: "LOGGED_OUT_EVERYWHERE", ...input });
      const now = clock.now();
      const revoked = await repository.revokeSessions(
        { userId: id, exceptSessionId: options.exceptSessionId },
        revocation(valid.reason, actor, valid.note, now),
        event("session.revoked", actor, { details: { reason: valid.reason, note: valid.note ?? null } }),
        event("user.sessions_revoked", actor, { userId: id, details: { reason: valid.reason, note: valid.note ?? null } }),
      );
      return revoked.length;
    },

    /** Disables a user: every session ends and no new one starts until re-enabled. */
    async disableUser(userId: string, reason: string | null, actor: Actor = SYSTEM_ACTOR): Promise<number> {
      const id = parseInput(identifierSchema, userId);
      const now = clock.now();
      const changed = await repository.setUserDisabled(id, now, reason, event("user.disabled", actor, { userId: id, details: { reason } }));
      if (!changed) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such user.", { userId: id });
      const revoked = await repository.revokeSessions(
        { userId: id },
        revocation("USER_DISABLED", actor, reason, now),
        event("session.revoked", actor, { details: { reason: "USER_DISABLED" } }),
        null,
      );
      return revoked.length;
    },

    async enableUser(userId: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
      const id = parseInput(identifierSchema, userId);
      const changed = await repository.setUserDisabled(id, null, null, event("user.enabled", actor, { userId: id }));
      if (!changed) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such user.", { userId: id });
    },

    /** Names a device; with `ownerUserId`, only on that user's own session. */
    async setDeviceLabel(
      sessionId: string,
      label: string | null,
      actor: Actor = SYSTEM_ACTOR,
      options: { ownerUserId?: string } = {},
    ): Promise<SessionView> {
      const id = parseInput(sessionIdSchema, sessionId);
      const deviceLabel = label === null ? null : parseInput(deviceLabelSchema, label);
      const updated = await repository.updateSession(
        id,
        { deviceLabel },
        event("session.label_changed", actor, { sessionId: id, details: { deviceLabel } }),
        options,
      );
      return viewAfterUpdate(id, updated);
    },

    /**
     * Records that the person behind a live session just proved who they are again (re-entered
     * their password), for actions that need a recent sign-in.
     */
    async confirmAuthentication(sessionId: string, actor: Actor = SYSTEM_ACTOR): Promise<SessionView> {
      const id = parseInput(sessionIdSchema, sessionId);
      const now = clock.now();
      const confirmed = await repository.confirmAuthentication(id, now, event("session.reauthenticated", actor, { sessionId: id }));
      if (!confirmed) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such live session.", { sessionId: id });
      return engine.getSessionOrThrow(id);
    },

    /** Moves a session to another tenant, in place. */
    async setTenant(sessionId: string, tenantId: string | null, actor: Actor = SYSTEM_ACTOR): Promise<SessionView> {
      const id = parseInput(sessionIdSchema, sessionId);
      const tenant = tenantId === null ? null : parseInput(identifierSchema, tenantId);
      const updated = await repository.updateSession(
        id,
        { tenantId: tenant },
        event("session.tenant_changed", actor, { sessionId: id, details: { tenantId: tenant } }),
      );
      return viewAfterUpdate(id, updated);
    },

    /** One session by id, in any status; SESSION_NOT_FOUND when there is none. */
    async getSessionOrThrow(sessionId: string): Promise<SessionView> {
      const record = await repository.findSession(sessionId);
      if (!record) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId });
      return toSessionView(record, clock.now());
    },

    /** One session by id, in any status, or null. */
    async getSession(sessionId: string): Promise<SessionView | null> {
      const id = sessionIdSchema.safeParse(sessionId);
      if (!id.success) return null;
      const record = await repository.findSession(id.data);
      return record ? toSessionView(record, clock.now()) : null;
    },

    /** What is left of a swept session, if it was swept. */
    async getSweptSession(sessionId: string): Promise<SweptSessionRecord | null> {
      const id = sessionIdSchema.safeParse(sessionId);
      return id.success ? repository.findSweptSession(id.data) : null;
    },

    /**
     * Every session, expired and revoked included, filtered and sorted, a page at a time. The
     * cursor is opaque: pass `nextCursor` back to get the following page.
     */
    async listSessions(input: ListSessionsInput = {}): Promise<SessionPage> {
      const valid = parseInput(listSessionsSchema, input);
      const now = clock.now();
      const { sort, order, limit, cursor, ...filter } = valid;
      const rows = await repository.listSessions(
        { filter, sort, order, limit: limit + 1, after: cursor ? decodeCursor(cursor) : undefined },
        now,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => toSessionView(row, now)),
        nextCursor: rows.length > limit && last ? encodeCursor(last[sort], last.id) : null,
      };
    },

    /** One user's live sessions, most recently active first. */
    async listUserSessions(userId: string): Promise<SessionView[]> {
      const id = parseInput(identifierSchema, userId);
      const now = clock.now();
      const rows = await repository.listLiveUserSessions(id, now);
      return rows.map((row) => toSessionView(row, now));
    },

    /**
     * Deletes sessions that ended more than the retention period ago, in batches, leaving a
     * tombstone for each. With `dryRun`, only counts.
     */
    async sweepSessions(
      input: SweepInput = {},
      actor: Actor = { type: "system", label: "sweep" },
      options: { onBatch?: (sweptSoFar: SweepCounts) => void } = {},
    ): Promise<SweepResult> {
      const valid = parseInput(sweepSchema, input);
      const now = clock.now();
      const cutoff = new Date(now.getTime() - (valid.retentionSeconds ?? config.retentionSeconds) * SECOND);
      if (valid.dryRun) {
        const counts = await repository.countSweepable(cutoff);
        return { ...counts, total: counts.idleExpired + counts.absoluteExpired + counts.revoked, dryRun: true, cutoff };
      }
      const batchSize = Math.min(valid.batchSize ?? config.sweepBatchSize, valid.limit ?? Infinity);
      const totals: SweepCounts = { idleExpired: 0, absoluteExpired: 0, revoked: 0 };
      for (;;) {
        const batch = await repository.sweepBatch(cutoff, now, batchSize);
        totals.idleExpired += batch.idleExpired;
        totals.absoluteExpired += batch.absoluteExpired;
        totals.revoked += batch.revoked;
        options.onBatch?.({ ...totals });
        if (batch.scanned < batchSize) break;
        // Let requests waiting on this process run between batches (SQLite's driver is synchronous).
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (valid.limit !== undefined && totals.idleExpired + totals.absoluteExpired + totals.revoked >= valid.limit) break;
      }
      const total = totals.idleExpired + totals.absoluteExpired + totals.revoked;
      await repository.appendEvents([
        event("sessions.swept", actor, { details: { ...totals, total, cutoff: cutoff.toISOString() } }),
      ]);
      return { ...totals, total, dryRun: false, cutoff };
    },

    /** A short-lived, single-use OAuth state token carrying optional data. */
    async issueOAuthState(input: IssueOAuthStateInput = {}, actor: Actor = SYSTEM_ACTOR): Promise<{ state: string; expiresAt: Date }> {
      const valid = parseInput(issueOAuthStateSchema, input);
      const now = clock.now();
      const issued = issueToken("oauthState");
      const expiresAt = new Date(now.getTime() + (valid.ttlSeconds ?? config.oauthStateTtlSeconds) * SECOND);
      await repository.insertOAuthState(
        { id: issued.id, secretHash: issued.secretHash, data: valid.data ? JSON.stringify(valid.data) : null, createdAt: now, expiresAt, consumedAt: null },
        event("oauth_state.issued", actor, { details: { stateId: issued.id, expiresAt: expiresAt.toISOString() } }),
      );
      return { state: issued.token, expiresAt };
    },

    /** Consumes an OAuth state: its data, exactly once; unknown, expired or used states throw STATE_INVALID. */
    async consumeOAuthState(state: unknown, actor: Actor = SYSTEM_ACTOR): Promise<Record<string, unknown> | null> {
      const invalid = () => new SessionError(ErrorCode.STATE_INVALID, "The OAuth state is unknown, expired or already used.");
      const parsed = parseToken("oauthState", state);
      if (!parsed) throw invalid();
      const record = await repository.findOAuthState(parsed.id);
      if (!record || !secretMatches(parsed.secret, record.secretHash)) throw invalid();
      const now = clock.now();
      const consumed = await repository.consumeOAuthState(
        record.id,
        now,
        event("oauth_state.consumed", actor, { details: { stateId: record.id } }),
      );
      if (!consumed) throw invalid();
      return parseJson<Record<string, unknown> | null>(record.data, null);
    },

    /** Audit events, newest first, filtered; `nextBefore` pages further back. */
    async listEvents(input: AuditFilterInput = {}): Promise<{ items: AuditEventView[]; nextBefore: number | null }> {
      const filter = parseInput(auditFilterSchema, input);
      const items = await repository.listEvents({ ...filter, limit: filter.limit + 1 });
      const page = items.slice(0, filter.limit);
      return { items: page, nextBefore: items.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
    },

    /** See SessionRepository.acquireLease; the clock is the engine's. */
    async acquireLease(name: string, holder: string, ttlSeconds: number): Promise<boolean> {
      const now = clock.now();
      return repository.acquireLease(name, holder, now, new Date(now.getTime() + ttlSeconds * SECOND));
    },

    async releaseLease(name: string, holder: string): Promise<void> {
      await repository.releaseLease(name, holder);
    },

    /**
     * Why a pasted token, a session or a user is refused (or that it is not), in plain words with
     * the evidence. Reads only: a replaced token diagnosed here does not set off reuse detection,
     * and the token is neither stored nor logged.
     */
    async diagnose(input: DiagnoseInput): Promise<Diagnosis> {
      const valid = parseInput(diagnoseSchema, input);
      if (valid.token !== undefined) return diagnostics.diagnoseToken(valid.token);
      if (valid.sessionId !== undefined) return diagnostics.diagnoseSession(valid.sessionId);
      return diagnostics.diagnoseUser(valid.user as string);
    },

    /** Counts and distributions for the overview page. */
    async getStatistics(): Promise<SessionStatistics> {
      return repository.statistics(clock.now());
    },
  };
  return engine;
}

export type SessionEngine = ReturnType<typeof createSessionEngine>;
