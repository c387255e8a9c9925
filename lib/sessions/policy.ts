import type { SessionConfig } from "./config";
import type { SessionRecord } from "./types";

/** The application of the console's own accounts and sign-ins. No API key belongs to it. */
export const CONSOLE_APP_ID = "console";

/** The application existing data moved to, and the one a fresh install starts with. */
export const DEFAULT_APP_ID = "default";

/** Every application at once: only operators (the console, console accounts) read or act with it. */
export const ALL_APPS: unique symbol = Symbol.for("latchkey.allApps");

/** Which applications a call reaches: one, by id, or (for operators) all of them. */
export type AppScope = string | typeof ALL_APPS;

/** What a new session does when its user already holds as many live sessions as the limit allows. */
export const SESSION_LIMIT_ACTIONS = ["END_LEAST_RECENTLY_USED", "END_OLDEST", "REFUSE"] as const;
export type SessionLimitAction = (typeof SESSION_LIMIT_ACTIONS)[number];

/** How an application's sessions live and end. */
export interface SessionPolicy {
  /** A session untouched this long expires; a create call may ask for shorter, never longer. */
  idleTimeoutSeconds: number;
  /** No session lives longer than this from its sign-in; a create call may ask for shorter. */
  absoluteTimeoutSeconds: number;
  /** At most one last-seen write per session per interval. */
  touchIntervalSeconds: number;
  /** A rotated token presented within this window (concurrent requests) is not theft. */
  rotationGraceSeconds: number;
  /** Whether guest sessions may be started. */
  allowGuests: boolean;
  /** Live sessions a user may hold at once; null for no limit. */
  sessionLimit: number | null;
  sessionLimitAction: SessionLimitAction;
}

export const POLICY_FIELDS = [
  "idleTimeoutSeconds",
  "absoluteTimeoutSeconds",
  "touchIntervalSeconds",
  "rotationGraceSeconds",
  "allowGuests",
  "sessionLimit",
  "sessionLimitAction",
] as const satisfies readonly (keyof SessionPolicy)[];

/** An application as stored: its name, whether it is disabled, and its policy. */
export interface ApplicationRecord extends SessionPolicy {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  disabledAt: Date | null;
}

/** The policy the environment sets: new applications start with it, and the console keeps it. */
export function policyFromConfig(config: SessionConfig): SessionPolicy {
  return {
    idleTimeoutSeconds: config.idleTimeoutSeconds,
    absoluteTimeoutSeconds: config.absoluteTimeoutSeconds,
    touchIntervalSeconds: config.touchIntervalSeconds,
    rotationGraceSeconds: config.rotationGraceSeconds,
    allowGuests: true,
    sessionLimit: null,
    sessionLimitAction: "END_LEAST_RECENTLY_USED",
  };
}

/**
 * An application's policy. A row written by the migration that introduced applications has a
 * policy of zeros, meaning "not set yet": until the server's start sets it, the environment's
 * policy applies.
 */
export function policyOf(app: ApplicationRecord, fallback: SessionPolicy): SessionPolicy {
  if (app.idleTimeoutSeconds <= 0) return fallback;
  const { idleTimeoutSeconds, absoluteTimeoutSeconds, touchIntervalSeconds, rotationGraceSeconds, allowGuests, sessionLimit, sessionLimitAction } = app;
  return { idleTimeoutSeconds, absoluteTimeoutSeconds, touchIntervalSeconds, rotationGraceSeconds, allowGuests, sessionLimit, sessionLimitAction };
}

const SECOND = 1000;

/**
 * A session as its application's policy has it now: never longer-lived than it was stored, and
 * cut to the policy's idle timeout and absolute cap when those are shorter. A policy change thus
 * takes effect at the next resolve, before its batches have rewritten the stored expiries.
 * Service sessions have one lifetime of their own: only the absolute cap applies to them.
 */
export function withPolicy(session: SessionRecord, policy: SessionPolicy): SessionRecord {
  const absoluteExpiresAt = Math.min(session.absoluteExpiresAt.getTime(), session.startedAt.getTime() + policy.absoluteTimeoutSeconds * SECOND);
  const idleTimeoutSeconds = session.kind === "service" ? session.idleTimeoutSeconds : Math.min(session.idleTimeoutSeconds, policy.idleTimeoutSeconds);
  const idleExpiresAt = Math.min(session.idleExpiresAt.getTime(), session.lastSeenAt.getTime() + idleTimeoutSeconds * SECOND, absoluteExpiresAt);
  if (
    absoluteExpiresAt === session.absoluteExpiresAt.getTime() &&
    idleExpiresAt === session.idleExpiresAt.getTime() &&
    idleTimeoutSeconds === session.idleTimeoutSeconds
  ) {
    return session;
  }
  return { ...session, idleTimeoutSeconds, idleExpiresAt: new Date(idleExpiresAt), absoluteExpiresAt: new Date(absoluteExpiresAt) };
}
