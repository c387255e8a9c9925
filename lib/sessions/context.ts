import type { Clock } from "./clock";
import type { SessionConfig } from "./config";
import { ErrorCode, SessionError } from "./errors";
import { createFiguresCache, type FiguresCache, type FiguresOptions } from "./figures";
import { ALL_APPS, CONSOLE_APP_ID, policyFromConfig, policyOf, type AppScope, type ApplicationRecord, type SessionPolicy } from "./policy";
import type { EngineObserver } from "./observer";
import type { RefusalSink } from "./refusal-log";
import type { RevocationFields, SessionRepository } from "./repository";
import { sessionStatus } from "./status";
import type { Actor, AuditEventInput, SessionKind, SessionRecord, SessionView, UserRecord, UserView } from "./types";

/** What every part of the engine works with. */
export interface SessionEngineDeps {
  repository: SessionRepository;
  /**
   * The environment's settings: the policy of new applications and of the console, and the
   * settings that are the same everywhere (OAuth state lifetime, retention, sweep batch size).
   */
  config: SessionConfig;
  clock: Clock;
  /** Where refused tokens are reported (see refusal-log.ts); none, and they are not recorded. */
  refusals?: RefusalSink;
  /**
   * Told of token checks and sweeps as they happen (metrics). Session writes are reported by
   * wrapping the repository in observedRepository.
   */
  observer?: EngineObserver;
  /** How long an application read from the database is trusted before it is read again (ms). */
  applicationTtlMs?: number;
  /** Where applications are looked up; by default, the repository through a one-second cache. */
  applications?: ApplicationDirectory;
  /** How the overview's and the sweep page's figures are shared (see figures.ts); by default live below 200 ms, else refreshed each minute. */
  figuresOptions?: Partial<FiguresOptions>;
}

/** The dependencies, with the applications directory every verb shares. */
export interface EngineContext extends SessionEngineDeps {
  applications: ApplicationDirectory;
  /** The policy of applications whose own is not set yet (the environment's). */
  defaultPolicy: SessionPolicy;
  figures: FiguresCache;
}

/**
 * Applications by id, kept for a second: resolve reads its session's application on every call,
 * and policies change rarely. This process's own changes apply at once (forget); another
 * instance's within about a second. Past the second, the entry held is still answered while one
 * read refreshes it: a resolve never waits on the database for its application, not even behind
 * a long write (on SQLite, a batch of a sweep or a revocation holds the one writing connection).
 */
export interface ApplicationDirectory {
  get(id: string): Promise<ApplicationRecord | null>;
  forget(id: string): void;
}

export function createApplicationDirectory(repository: SessionRepository, ttlMs = 1_000): ApplicationDirectory {
  const held = new Map<string, { app: ApplicationRecord | null; at: number; refreshing: boolean }>();
  async function read(id: string): Promise<ApplicationRecord | null> {
    const at = performance.now();
    const app = await repository.findApplication(id);
    if (held.size >= 10_000) held.clear();
    held.set(id, { app, at, refreshing: false });
    return app;
  }
  return {
    async get(id) {
      const found = held.get(id);
      if (!found) return read(id);
      if (performance.now() - found.at >= ttlMs && !found.refreshing) {
        found.refreshing = true;
        read(id).catch(() => {
          found.refreshing = false;
        });
      }
      return found.app;
    },
    forget(id) {
      held.delete(id);
    },
  };
}

export function engineContext(deps: SessionEngineDeps): EngineContext {
  return {
    ...deps,
    applications: deps.applications ?? createApplicationDirectory(deps.repository, deps.applicationTtlMs),
    defaultPolicy: policyFromConfig(deps.config),
    figures: createFiguresCache(deps.clock, { maxAgeMs: 60_000, liveBelowMs: 200, ...deps.figuresOptions }),
  };
}

/** A scope as a key of maps: an application's id, or `*` for all of them. */
export function scopeKey(scope: AppScope): string {
  return scope === ALL_APPS ? "*" : scope;
}

export const SECOND = 1000;

/** An audit event at the engine's now. */
export function event(
  ctx: EngineContext,
  appId: string,
  type: string,
  actor: Actor,
  fields: Omit<AuditEventInput, "at" | "type" | "actor" | "appId"> = {},
): AuditEventInput {
  return { appId, at: ctx.clock.now(), type, actor, ...fields };
}

export function revokedByLabel(actor: Actor): string {
  return `${actor.type}:${actor.label ?? actor.id ?? "unknown"}`;
}

export function revocation(reason: string, actor: Actor, note: string | null | undefined, at: Date): RevocationFields {
  return { revokedAt: at, revokedReason: reason, revokedBy: revokedByLabel(actor), revokeNote: note ?? null };
}

/** The one application a call that creates something works in; operators' "every application" creates nothing. */
export function concreteApp(scope: AppScope): string {
  if (scope === ALL_APPS) throw new SessionError(ErrorCode.VALIDATION_FAILED, "Invalid input: application: name the application to work in.");
  return scope;
}

/** An application and its policy, or APP_NOT_FOUND. */
export async function applicationOf(ctx: EngineContext, appId: string): Promise<{ app: ApplicationRecord; policy: SessionPolicy }> {
  const app = await ctx.applications.get(appId);
  if (!app) throw new SessionError(ErrorCode.APP_NOT_FOUND, "No such application.", { appId });
  return { app, policy: policyOf(app, ctx.defaultPolicy) };
}

/** An application that may start sessions: APP_DISABLED while it is disabled. */
export async function liveApplicationOf(ctx: EngineContext, appId: string): Promise<{ app: ApplicationRecord; policy: SessionPolicy }> {
  const found = await applicationOf(ctx, appId);
  if (found.app.disabledAt) {
    throw new SessionError(ErrorCode.APP_DISABLED, `The application ${found.app.name} is disabled: its sessions are refused and none can start.`, { appId });
  }
  return found;
}

export function parseJson<T>(text: string | null, fallback: T): T {
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
    appId: record.appId,
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
    startedAt: record.startedAt,
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
    appId: user.appId,
    id: user.id,
    email: user.email,
    name: user.name,
    consoleRole: user.consoleRole,
    mustChangePassword: user.mustChangePassword,
    disabledAt: user.disabledAt,
  };
}

/** Console roles from least to most power. */
const ROLE_RANK: Record<string, number> = { USER: 0, SUPPORT: 1, ADMIN: 2 };

/**
 * Roles act only downwards: a console account may not end, relabel or log out the sessions of
 * an account with more power than its own (SUPPORT may not touch an ADMIN's). Only the console's
 * own accounts have roles; everything else passes.
 */
export async function assertMayActOn(ctx: EngineContext, actor: Actor, appId: string, ownerUserId: string): Promise<void> {
  if (appId !== CONSOLE_APP_ID || actor.type !== "user" || !actor.id || actor.id === ownerUserId) return;
  const [acting, owner] = await Promise.all([ctx.repository.findUser(CONSOLE_APP_ID, actor.id), ctx.repository.findUser(CONSOLE_APP_ID, ownerUserId)]);
  const actingRank = ROLE_RANK[acting?.consoleRole ?? ""] ?? -1;
  const ownerRank = ROLE_RANK[owner?.consoleRole ?? ""] ?? -1;
  if (ownerRank > actingRank) {
    throw new SessionError(ErrorCode.FORBIDDEN, `A ${acting?.consoleRole ?? "console"} account cannot change the sessions of an ${owner?.consoleRole} account.`, { userId: ownerUserId });
  }
}
