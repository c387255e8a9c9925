import path from "node:path";
import { parseDurationSeconds } from "./duration";
import { parseAllowList, type AllowList } from "./webhooks/outbound";
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from "./db/url";
import { POSTGRES_BATCH_SIZE, resolveSessionConfig, type SessionConfig } from "./sessions/config";
import { isSessionError } from "./sessions/errors";
import { parseTrustedProxies, TRUST_NONE, type ProxyTrust } from "./server/client-address";

/** Latchkey's configuration, read from the environment once and checked. */
export interface LatchkeyEnv {
  databaseUrl: string;
  dataDir: string;
  session: SessionConfig;
  authSecret: string | null;
  adminEmail: string | null;
  adminPassword: string | null;
  /** Sweep automatically this often (seconds); null: only when asked. */
  sweepIntervalSeconds: number | null;
  /** Sensitive console actions need a sign-in (or password re-entry) at most this long ago. */
  reauthWindowSeconds: number;
  /** Failed API authentications allowed per client address per minute. */
  apiAuthFailureLimit: number;
  /** Refused tokens (resolve, refresh, upgrade) allowed per API key and per address per minute. */
  apiTokenFailureLimit: number;
  /** How long refused tokens are kept in the refusal log (seconds); null: the log is off. */
  refusalRetentionSeconds: number | null;
  /** Signed access tokens: lifetime, key rotation period (seconds) and the `iss` they carry. */
  accessTokenTtlSeconds: number;
  signingKeyRotationSeconds: number;
  issuer: string;
  /** Where people and programs reach this Latchkey (NEXTAUTH_URL), when known. */
  publicUrl: string | null;
  /** Redis for the shared session cache and cross-instance revocation; null: none. */
  redisUrl: string | null;
  /**
   * Resolved sessions kept in memory (0: no cache). On by default with SQLite or Redis; off with
   * PostgreSQL alone, where other instances' revocations could not reach this one's cache.
   */
  cacheEntries: number;
  /** Which proxies in front of Latchkey may say who the client is (LATCHKEY_TRUSTED_PROXIES). */
  trustedProxies: ProxyTrust;
  /** Addresses webhooks may reach although not public (LATCHKEY_WEBHOOK_ALLOW: addresses and CIDR ranges). */
  webhookAllow: AllowList;
  /** The first retry's wait of a failed webhook delivery, doubling after (LATCHKEY_WEBHOOK_RETRY_BASE, default 5 s). */
  webhookRetryBaseSeconds: number;
  /** The bearer token Prometheus sends for /metrics (LATCHKEY_METRICS_TOKEN); null: /metrics does not exist. */
  metricsToken: string | null;
  /** The least severe level written to the log (LATCHKEY_LOG_LEVEL, default info). */
  logLevel: LogLevel;
}

/** The levels of LATCHKEY_LOG_LEVEL, most severe first (pino's names). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvError";
  }
}

const DURATION_VARIABLES: [string, keyof SessionConfig][] = [
  ["LATCHKEY_IDLE_TIMEOUT", "idleTimeoutSeconds"],
  ["LATCHKEY_ABSOLUTE_TIMEOUT", "absoluteTimeoutSeconds"],
  ["LATCHKEY_TOUCH_INTERVAL", "touchIntervalSeconds"],
  ["LATCHKEY_ROTATION_GRACE", "rotationGraceSeconds"],
  ["LATCHKEY_OAUTH_STATE_TTL", "oauthStateTtlSeconds"],
  ["LATCHKEY_RETENTION", "retentionSeconds"],
];

/** Reads and validates the environment; throws EnvError naming each bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): LatchkeyEnv {
  const problems: string[] = [];
  const overrides: Partial<Record<keyof SessionConfig, unknown>> = {};
  for (const [name, key] of DURATION_VARIABLES) {
    const raw = source[name];
    if (raw === undefined || raw === "") continue;
    const seconds = parseDurationSeconds(raw);
    if (seconds === null) problems.push(`${name}=${JSON.stringify(raw)} is not a duration (examples: 90s, 30m, 12h, 30d)`);
    else overrides[key] = seconds;
  }
  const databaseUrl = source.DATABASE_URL || DEFAULT_DATABASE_URL;
  let onPostgres = false;
  try {
    onPostgres = parseDatabaseUrl(databaseUrl).provider === "postgresql";
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (onPostgres) overrides.sweepBatchSize = POSTGRES_BATCH_SIZE;
  let session: SessionConfig | null = null;
  if (problems.length === 0) {
    try {
      session = resolveSessionConfig(overrides);
    } catch (error) {
      if (!isSessionError(error)) throw error;
      problems.push(error.message);
    }
  }
  let reauthWindowSeconds = 10 * 60;
  if (source.LATCHKEY_REAUTH_WINDOW) {
    const seconds = parseDurationSeconds(source.LATCHKEY_REAUTH_WINDOW);
    if (seconds === null || seconds < 1) problems.push(`LATCHKEY_REAUTH_WINDOW=${JSON.stringify(source.LATCHKEY_REAUTH_WINDOW)} is not a duration of at least 1s (examples: 5m, 15m)`);
    else reauthWindowSeconds = seconds;
  }
  let sweepIntervalSeconds: number | null = null;
  if (source.LATCHKEY_SWEEP_INTERVAL && source.LATCHKEY_SWEEP_INTERVAL !== "0") {
    const seconds = parseDurationSeconds(source.LATCHKEY_SWEEP_INTERVAL);
    if (seconds === null || seconds < 60) problems.push(`LATCHKEY_SWEEP_INTERVAL=${JSON.stringify(source.LATCHKEY_SWEEP_INTERVAL)} must be a duration of at least 60s (examples: 15m, 1h), or 0 for none`);
    else sweepIntervalSeconds = seconds;
  }
  let refusalRetentionSeconds: number | null = 7 * 24 * 60 * 60;
  if (source.LATCHKEY_REFUSAL_LOG) {
    const raw = source.LATCHKEY_REFUSAL_LOG;
    const seconds = raw === "off" ? null : parseDurationSeconds(raw);
    if (raw !== "off" && (seconds === null || seconds < 60)) problems.push(`LATCHKEY_REFUSAL_LOG=${JSON.stringify(raw)} must be how long to keep refusals, at least 60s (examples: 7d, 24h), or off`);
    else refusalRetentionSeconds = seconds;
  }
  const durations: Record<string, number> = {};
  for (const [name, fallback, min, max] of [
    ["LATCHKEY_ACCESS_TOKEN_TTL", 300, 10, 3600],
    ["LATCHKEY_SIGNING_KEY_ROTATION", 30 * 86_400, 3600, 365 * 86_400],
  ] as const) {
    const raw = source[name];
    const seconds = raw ? parseDurationSeconds(raw) : fallback;
    if (seconds === null || seconds < min || seconds > max) problems.push(`${name}=${JSON.stringify(raw)} must be a duration from ${min}s to ${max}s (examples: 5m, 30d)`);
    durations[name] = seconds ?? fallback;
  }
  const issuer = source.LATCHKEY_ISSUER || source.NEXTAUTH_URL || "latchkey";
  const adminEmail = source.LATCHKEY_ADMIN_EMAIL || null;
  const adminPassword = source.LATCHKEY_ADMIN_PASSWORD || null;
  if (adminEmail && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) problems.push("LATCHKEY_ADMIN_EMAIL is not an email address");
  if (adminPassword && adminPassword.length < 12) problems.push("LATCHKEY_ADMIN_PASSWORD must be at least 12 characters");
  const limits: Record<string, number> = {};
  for (const [name, fallback] of [
    ["LATCHKEY_API_AUTH_FAILURE_LIMIT", 20],
    ["LATCHKEY_API_TOKEN_FAILURE_LIMIT", 600],
  ] as const) {
    const raw = source[name];
    const value = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 1) problems.push(`${name}=${JSON.stringify(raw)} must be a whole number of at least 1`);
    limits[name] = value;
  }
  const redisUrl = source.REDIS_URL || null;
  if (redisUrl && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) problems.push(`REDIS_URL must be a redis:// or rediss:// URL`);
  let cacheEntries = 100_000;
  const cache = source.LATCHKEY_CACHE;
  if (cache === "off") cacheEntries = 0;
  else if (cache && cache !== "on") {
    const value = Number(cache);
    if (!Number.isInteger(value) || value < 1) problems.push(`LATCHKEY_CACHE=${JSON.stringify(cache)} must be on, off, or how many sessions to keep (a whole number)`);
    else cacheEntries = value;
  } else if (!cache && !redisUrl && onPostgres) cacheEntries = 0;
  let trustedProxies = TRUST_NONE;
  try {
    trustedProxies = parseTrustedProxies(source.LATCHKEY_TRUSTED_PROXIES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  let webhookAllow: AllowList = [];
  try {
    webhookAllow = parseAllowList(source.LATCHKEY_WEBHOOK_ALLOW);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const retryBase = source.LATCHKEY_WEBHOOK_RETRY_BASE ? parseDurationSeconds(source.LATCHKEY_WEBHOOK_RETRY_BASE) : 5;
  if (retryBase === null || retryBase < 1 || retryBase > 3600) problems.push(`LATCHKEY_WEBHOOK_RETRY_BASE=${JSON.stringify(source.LATCHKEY_WEBHOOK_RETRY_BASE)} must be a duration from 1s to 1h`);
  const metricsToken = source.LATCHKEY_METRICS_TOKEN || null;
  if (metricsToken && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) problems.push("LATCHKEY_METRICS_TOKEN must be at least 16 printable characters without spaces");
  const logLevel = (source.LATCHKEY_LOG_LEVEL || "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`LATCHKEY_LOG_LEVEL=${JSON.stringify(source.LATCHKEY_LOG_LEVEL)} must be one of ${LOG_LEVELS.join(", ")}`);
  const authSecret = source.NEXTAUTH_SECRET || null;
  if (authSecret && authSecret.length < 32) problems.push("NEXTAUTH_SECRET must be at least 32 characters");
  if (problems.length > 0 || !session) {
    throw new EnvError(`Latchkey cannot start, its configuration is invalid:\n  - ${problems.join("\n  - ")}`);
  }
  return {
    databaseUrl,
    dataDir: path.resolve(/*turbopackIgnore: true*/ source.LATCHKEY_DATA_DIR || "data"),
    session,
    authSecret,
    adminEmail,
    adminPassword,
    reauthWindowSeconds,
    sweepIntervalSeconds,
    apiAuthFailureLimit: limits.LATCHKEY_API_AUTH_FAILURE_LIMIT!,
    apiTokenFailureLimit: limits.LATCHKEY_API_TOKEN_FAILURE_LIMIT!,
    refusalRetentionSeconds,
    accessTokenTtlSeconds: durations.LATCHKEY_ACCESS_TOKEN_TTL!,
    signingKeyRotationSeconds: durations.LATCHKEY_SIGNING_KEY_ROTATION!,
    issuer,
    publicUrl: source.NEXTAUTH_URL || null,
    redisUrl,
    cacheEntries,
    trustedProxies,
    webhookAllow,
    webhookRetryBaseSeconds: retryBase ?? 5,
    metricsToken,
    logLevel: logLevel as LogLevel,
  };
}
