import { SECOND, concreteApp, event, liveApplicationOf, revocation, toSessionView, type EngineContext } from "./context";
import { ErrorCode, SessionError } from "./errors";
import type { AppScope, SessionPolicy } from "./policy";
import type { SessionLimitCheck } from "./repository";
import {
  createGuestSessionSchema,
  createServiceSessionSchema,
  createSessionSchema,
  parseInput,
  type CreateGuestSessionInput,
  type CreateServiceSessionInput,
  type CreateSessionInput,
} from "./schemas";
import { generateId, issueToken } from "./tokens";
import { SYSTEM_ACTOR, type Actor, type SessionKind, type SessionRecord, type SessionView } from "./types";
import { cleanUserAgent, parseUserAgent } from "./user-agent";
import { plainAddress } from "./words";

export interface IssuedSession {
  /** The session token. Returned once; only its hash is kept. */
  token: string;
  session: SessionView;
}

export interface NewSessionFields {
  userId: string;
  /** The user's email and name as the application knows them (user sessions only). */
  email?: string | null;
  name?: string | null;
  kind: SessionKind;
  deviceLabel?: string | null;
  userAgent?: string | null;
  ip?: string | null;
  tenantId?: string | null;
  roles: string[];
  metadata: Record<string, unknown>;
  idleTimeoutSeconds?: number;
  absoluteTimeoutSeconds?: number;
}

function invalid(field: string, message: string): SessionError {
  return new SessionError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${field}: ${message}.`, { issues: [{ field, message }] });
}

/**
 * The timeouts a new session gets: the policy's, or shorter ones the caller asked for. Longer
 * ones are refused: the policy's idle timeout and absolute cap are ceilings.
 */
export function sessionTimeouts(input: { idleTimeoutSeconds?: number; absoluteTimeoutSeconds?: number }, policy: SessionPolicy) {
  const idleTimeoutSeconds = input.idleTimeoutSeconds ?? policy.idleTimeoutSeconds;
  const absoluteTimeoutSeconds = input.absoluteTimeoutSeconds ?? policy.absoluteTimeoutSeconds;
  if (absoluteTimeoutSeconds > policy.absoluteTimeoutSeconds) {
    throw invalid("absoluteTimeoutSeconds", `must be at most ${policy.absoluteTimeoutSeconds} (this application's absolute cap)`);
  }
  if (idleTimeoutSeconds > policy.idleTimeoutSeconds) {
    throw invalid("idleTimeoutSeconds", `must be at most ${policy.idleTimeoutSeconds} (this application's idle timeout)`);
  }
  if (idleTimeoutSeconds > absoluteTimeoutSeconds) throw invalid("idleTimeoutSeconds", "must not exceed absoluteTimeoutSeconds");
  return { idleTimeoutSeconds, absoluteTimeoutSeconds };
}

/** A new session's row: the caller's fields, a fresh family, expiries from `now`. */
export function buildSessionRecord(
  appId: string,
  input: NewSessionFields,
  timeouts: { idleTimeoutSeconds: number; absoluteTimeoutSeconds: number },
  id: string,
  secretHash: string,
  now: Date,
): SessionRecord {
  const userAgent = cleanUserAgent(input.userAgent);
  const parsed = parseUserAgent(userAgent);
  const absoluteExpiresAt = new Date(now.getTime() + timeouts.absoluteTimeoutSeconds * SECOND);
  return {
    id,
    appId,
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
    ip: input.ip ? plainAddress(input.ip) : null,
    metadata: JSON.stringify(input.metadata),
    createdAt: now,
    startedAt: now,
    lastSeenAt: now,
    authenticatedAt: now,
    idleTimeoutSeconds: timeouts.idleTimeoutSeconds,
    idleExpiresAt: new Date(Math.min(now.getTime() + timeouts.idleTimeoutSeconds * SECOND, absoluteExpiresAt.getTime())),
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

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** Why a session was ended by the limit, as its revocation note says: "ended when this user started a 6th session; the limit is 5". */
export function sessionLimitNote(liveBefore: number, max: number): string {
  return `ended when this user started a ${ordinal(liveBefore + 1)} session; the limit is ${max}`;
}

/** The check a user session's insert makes against its application's limit, if it has one. */
export function sessionLimitCheck(ctx: EngineContext, appId: string, policy: SessionPolicy, kind: SessionKind, actor: Actor, now: Date): SessionLimitCheck | undefined {
  if (kind !== "user" || policy.sessionLimit === null) return undefined;
  return {
    max: policy.sessionLimit,
    action: policy.sessionLimitAction,
    now,
    revocation: revocation("SESSION_LIMIT", actor, null, now),
    perSession: event(ctx, appId, "session.revoked", actor, { details: { reason: "SESSION_LIMIT" } }),
    note: (liveBefore) => sessionLimitNote(liveBefore, policy.sessionLimit ?? 0),
  };
}

export function sessionLimitRefused(userId: string, max: number): SessionError {
  return new SessionError(
    ErrorCode.SESSION_LIMIT,
    `This user already holds ${max} live session${max === 1 ? "" : "s"}, the most this application allows; end one (sign out on another device) first.`,
    { userId, limit: max },
  );
}

function userDisabled(userId: string): SessionError {
  return new SessionError(ErrorCode.USER_DISABLED, "This user is disabled and cannot start new sessions.", { userId });
}

export async function assertUserEnabled(ctx: EngineContext, appId: string, userId: string): Promise<void> {
  const user = await ctx.repository.findUser(appId, userId);
  if (user?.disabledAt) throw userDisabled(userId);
}

/** Starts a session in `appId` under its policy (ceilings, session limit) and audits it. */
async function insertNewSession(
  ctx: EngineContext,
  appId: string,
  input: NewSessionFields,
  actor: Actor,
  options: { policy?: SessionPolicy; extraDetails?: Record<string, unknown>; timeouts?: { idleTimeoutSeconds: number; absoluteTimeoutSeconds: number } } = {},
): Promise<IssuedSession> {
  const policy = options.policy ?? (await liveApplicationOf(ctx, appId)).policy;
  const timeouts = options.timeouts ?? sessionTimeouts(input, policy);
  const now = ctx.clock.now();
  const issued = issueToken("session");
  const record = buildSessionRecord(appId, input, timeouts, issued.id, issued.secretHash, now);
  const created = event(ctx, appId, "session.created", actor, {
    sessionId: record.id,
    userId: record.userId,
    details: { kind: record.kind, tenantId: record.tenantId, ip: record.ip, deviceLabel: record.deviceLabel, ...options.extraDetails },
  });
  const limit = sessionLimitCheck(ctx, appId, policy, record.kind as SessionKind, actor, now);
  const profile = input.email || input.name ? { email: input.email ?? null, name: input.name ?? null } : undefined;
  // The user's being disabled is checked in the insert's transaction, so no sign-in slips past a disable.
  const { inserted, disabled } = await ctx.repository.insertSession(record, [created], limit, profile);
  if (disabled) throw userDisabled(record.userId);
  if (!inserted) throw sessionLimitRefused(record.userId, policy.sessionLimit ?? 0);
  return { token: issued.token, session: toSessionView(record, now) };
}

/** Starts a user's session and returns its token, once. */
export async function createSession(ctx: EngineContext, scope: AppScope, input: CreateSessionInput, actor: Actor = SYSTEM_ACTOR): Promise<IssuedSession> {
  const appId = concreteApp(scope);
  const valid = parseInput(createSessionSchema, input);
  return insertNewSession(ctx, appId, valid, actor);
}

/** Starts a session for a generated anonymous user id, if the application allows guests. */
export async function createGuestSession(
  ctx: EngineContext,
  scope: AppScope,
  input: CreateGuestSessionInput = {},
  actor: Actor = SYSTEM_ACTOR,
): Promise<IssuedSession> {
  const appId = concreteApp(scope);
  const valid = parseInput(createGuestSessionSchema, input);
  const { app, policy } = await liveApplicationOf(ctx, appId);
  if (!policy.allowGuests) {
    throw new SessionError(ErrorCode.FORBIDDEN, `The application ${app.name} does not allow guest sessions.`, { appId });
  }
  return insertNewSession(ctx, appId, { ...valid, userId: `guest_${generateId()}`, kind: "guest" }, actor, { policy });
}

/**
 * Starts a service session: user `service:<client>`, kind service, the scopes as its roles,
 * one short lifetime, idle and absolute alike (at most a day, and at most the application's
 * absolute cap; the application's idle timeout does not apply). A person it acts for
 * (`delegatedBy`) must exist in the application and be enabled, and is recorded.
 */
export async function createServiceSession(
  ctx: EngineContext,
  scope: AppScope,
  input: CreateServiceSessionInput,
  actor: Actor = SYSTEM_ACTOR,
): Promise<IssuedSession> {
  const appId = concreteApp(scope);
  const valid = parseInput(createServiceSessionSchema, input);
  const { policy } = await liveApplicationOf(ctx, appId);
  const ttlSeconds = valid.ttlSeconds ?? Math.min(3600, policy.absoluteTimeoutSeconds);
  if (ttlSeconds > policy.absoluteTimeoutSeconds) {
    throw invalid("ttlSeconds", `must be at most ${policy.absoluteTimeoutSeconds} (this application's absolute cap)`);
  }
  if (valid.delegatedBy) {
    const person = await ctx.repository.findUser(appId, valid.delegatedBy);
    if (!person) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such user to act for.", { userId: valid.delegatedBy });
    if (person.disabledAt) throw new SessionError(ErrorCode.USER_DISABLED, "A disabled user cannot delegate.", { userId: valid.delegatedBy });
  }
  return insertNewSession(
    ctx,
    appId,
    {
      userId: `service:${valid.client}`,
      kind: "service",
      deviceLabel: valid.client,
      tenantId: valid.tenantId ?? null,
      roles: valid.scopes,
      metadata: { ...valid.metadata, client: valid.client, delegatedBy: valid.delegatedBy ?? null },
    },
    actor,
    {
      policy,
      timeouts: { idleTimeoutSeconds: ttlSeconds, absoluteTimeoutSeconds: ttlSeconds },
      extraDetails: { client: valid.client, scopes: valid.scopes, delegatedBy: valid.delegatedBy ?? null, ttlSeconds },
    },
  );
}
