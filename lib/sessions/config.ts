import { ErrorCode, SessionError } from "./errors";

/** Timeouts and limits of the engine, all in seconds. */
export interface SessionConfig {
  /** A session untouched for this long expires. */
  idleTimeoutSeconds: number;
  /** No session lives longer than this from its creation, however active. */
  absoluteTimeoutSeconds: number;
  /** At most one last-seen write per session per interval. */
  touchIntervalSeconds: number;
  /** A rotated token presented within this window (concurrent requests) is not theft. */
  rotationGraceSeconds: number;
  /** Default lifetime of an OAuth state token. */
  oauthStateTtlSeconds: number;
  /** Dead sessions stay visible this long before a sweep deletes them. */
  retentionSeconds: number;
  /** Rows per transaction of a bulk write: a sweep, a revocation by filter, a policy applied to existing sessions. */
  sweepBatchSize: number;
}

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;

export const DEFAULT_SESSION_CONFIG: SessionConfig = {
  idleTimeoutSeconds: 30 * MINUTE,
  absoluteTimeoutSeconds: 30 * DAY,
  touchIntervalSeconds: 60,
  rotationGraceSeconds: 10,
  oauthStateTtlSeconds: 10 * MINUTE,
  retentionSeconds: 7 * DAY,
  sweepBatchSize: 500,
};

/** Upper bound on any configured duration: ten years. */
export const MAX_DURATION_SECONDS = 10 * 365 * DAY;

const LIMITS: Record<keyof SessionConfig, { min: number; max: number }> = {
  idleTimeoutSeconds: { min: 1, max: MAX_DURATION_SECONDS },
  absoluteTimeoutSeconds: { min: 1, max: MAX_DURATION_SECONDS },
  touchIntervalSeconds: { min: 0, max: MAX_DURATION_SECONDS },
  rotationGraceSeconds: { min: 0, max: 5 * MINUTE },
  oauthStateTtlSeconds: { min: 1, max: DAY },
  retentionSeconds: { min: 0, max: MAX_DURATION_SECONDS },
  sweepBatchSize: { min: 1, max: 10_000 },
};

/**
 * Merges overrides into the defaults and checks the result; throws CONFIG_INVALID naming every
 * problem, so that a deployment with nonsense timeouts refuses to start.
 */
export function resolveSessionConfig(overrides: Partial<Record<keyof SessionConfig, unknown>> = {}): SessionConfig {
  const config: Record<string, unknown> = { ...DEFAULT_SESSION_CONFIG };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) config[key] = value;
  }
  const problems: string[] = [];
  for (const key of Object.keys(LIMITS) as (keyof SessionConfig)[]) {
    const value = config[key];
    const { min, max } = LIMITS[key];
    if (typeof value !== "number" || !Number.isInteger(value)) {
      problems.push(`${key} must be a whole number, got ${JSON.stringify(value)}`);
    } else if (value < min || value > max) {
      problems.push(`${key} must be between ${min} and ${max}, got ${value}`);
    }
  }
  if (problems.length === 0) {
    const valid = config as unknown as SessionConfig;
    if (valid.idleTimeoutSeconds > valid.absoluteTimeoutSeconds) {
      problems.push(
        `idleTimeoutSeconds (${valid.idleTimeoutSeconds}) must not exceed absoluteTimeoutSeconds (${valid.absoluteTimeoutSeconds})`,
      );
    }
    if (valid.touchIntervalSeconds >= valid.idleTimeoutSeconds) {
      problems.push(
        `touchIntervalSeconds (${valid.touchIntervalSeconds}) must be shorter than idleTimeoutSeconds (${valid.idleTimeoutSeconds})`,
      );
    }
  }
  if (problems.length > 0) {
    throw new SessionError(ErrorCode.CONFIG_INVALID, `Invalid session configuration: ${problems.join("; ")}.`, {
      problems,
    });
  }
  return config as unknown as SessionConfig;
}
