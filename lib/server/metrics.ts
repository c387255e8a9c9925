import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { RefusalReason } from "../sessions/errors";
import { POLICY_ENDED, type EngineObserver } from "../sessions/observer";
import type { RefusalEntry, RefusalLogReason, RefusalOperation } from "../sessions/refusal-log";
import type { SessionCacheStats } from "../sessions/session-cache";
import { ENDING_REASONS, SESSION_KINDS, type SessionKind, type SweepCounts } from "../sessions/types";

/** Connections of a database pool, as pg reports them. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Where the gauges read their values when Prometheus scrapes (nothing is counted per request for them). */
export interface MetricSources {
  cacheStats?: () => SessionCacheStats;
  /** Per Redis client: connected (true), not (false); absent when Redis is not configured. */
  redis?: Record<string, () => boolean>;
  /** Per database pool (PostgreSQL only). */
  pools?: Record<string, () => PoolStats>;
  refusalsPending?: () => number;
}

const OPERATIONS: readonly RefusalOperation[] = ["resolve", "validate", "refresh", "rotate", "upgrade", "exchange"];
const REFUSAL_REASONS = Object.values(RefusalReason);
const REFUSAL_LOG_REASONS: readonly RefusalLogReason[] = [...REFUSAL_REASONS, "RATE_LIMITED"];
const SWEPT_STATUSES = { idleExpired: "idle_expired", absoluteExpired: "absolute_expired", revoked: "revoked" } as const;
const CACHE_RESULTS = { hits: "hit", sharedHits: "shared_hit", misses: "miss", bypassed: "bypass" } as const;
/** Label value of an accepted token's reason. */
const ACCEPTED = "";

/** Latency buckets (seconds): the hot path answers in well under a millisecond, console pages in tens. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Increment = { inc(value?: number): void };

/** A counter's child, its series exported (at 0) from now on. */
function started<T extends Increment>(child: T): T {
  child.inc(0);
  return child;
}
type Observe = { observe(value: number): void };

/**
 * Latchkey's metrics, in one registry per process. Label values are fixed sets (operations,
 * reasons, kinds, route templates), and the series of the fixed sets exist from the start at 0,
 * so a rate over a fresh process is right and a scrape lists every series a dashboard may ask for.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const tokenChecks = new Counter({
    name: "latchkey_token_checks_total",
    help: "Session tokens judged by the engine, by operation (resolve, validate, refresh, rotate, upgrade, exchange), result (accepted, refused) and refusal reason.",
    labelNames: ["operation", "result", "reason"] as const,
    registers,
  });
  const checkChildren = new Map<string, Map<string, Increment>>();
  for (const operation of OPERATIONS) {
    const byReason = new Map<string, Increment>([[ACCEPTED, started(tokenChecks.labels(operation, "accepted", ACCEPTED))]]);
    for (const reason of REFUSAL_REASONS) byReason.set(reason, started(tokenChecks.labels(operation, "refused", reason)));
    checkChildren.set(operation, byReason);
  }

  const created = new Counter({ name: "latchkey_sessions_created_total", help: "Sign-ins started, by kind of session.", labelNames: ["kind"] as const, registers });
  const createdChildren = new Map<string, Increment>(SESSION_KINDS.map((kind) => [kind, started(created.labels(kind))]));
  const ended = new Counter({
    name: "latchkey_sessions_ended_total",
    help: "Sign-ins ended before their time, by reason (the revoke reason, or POLICY when a shorter policy ended them). Expiry is not counted here: sweeps count expired sessions as they delete them.",
    labelNames: ["reason"] as const,
    registers,
  });
  const endedChildren = new Map<string, Increment>([...ENDING_REASONS, POLICY_ENDED].map((reason) => [reason, started(ended.labels(reason))]));
  const rotated = new Counter({ name: "latchkey_sessions_rotated_total", help: "Session tokens replaced by a rotation.", registers });

  const refusals = new Counter({
    name: "latchkey_refusals_total",
    help: "Refused tokens recorded in the refusal log, by operation and reason (dropped ones included).",
    labelNames: ["operation", "reason"] as const,
    registers,
  });
  const refusalChildren = new Map<string, Map<string, Increment>>(
    OPERATIONS.map((operation) => [operation, new Map(REFUSAL_LOG_REASONS.map((reason) => [reason, started(refusals.labels(operation, reason))]))]),
  );
  const refusalsDropped = new Counter({ name: "latchkey_refusals_dropped_total", help: "Refusals not logged because too many were waiting to be written.", registers });

  const swept = new Counter({ name: "latchkey_sessions_swept_total", help: "Dead sessions deleted by sweeps, by how they ended.", labelNames: ["status"] as const, registers });
  const sweptChildren = Object.fromEntries(Object.entries(SWEPT_STATUSES).map(([field, status]) => [field, started(swept.labels(status))])) as Record<keyof SweepCounts, Increment>;
  const sweepBatches = new Counter({ name: "latchkey_sweep_batches_total", help: "Batches deleted by sweeps.", registers });
  const sweepsRunning = new Gauge({ name: "latchkey_sweeps_running", help: "Sweeps running in this process.", registers });
  const sweepsFinished = new Counter({ name: "latchkey_sweeps_total", help: "Sweeps finished in this process (dry runs not counted).", registers });
  const lastSweep = new Gauge({ name: "latchkey_sweep_last_finished_timestamp_seconds", help: "When the last sweep in this process finished (Unix time).", registers });

  const requestDuration = new Histogram({
    name: "latchkey_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  // route → method → status → child: a request allocates no label object once its series exists.
  const durationChildren = new Map<string, Map<string, Map<number, Observe>>>();

  let sources: MetricSources = {};
  const lastCache: Record<keyof typeof CACHE_RESULTS, number> = { hits: 0, sharedHits: 0, misses: 0, bypassed: 0 };
  new Counter({
    name: "latchkey_session_cache_lookups_total",
    help: "Session lookups of resolve, by result: hit (this process), shared_hit (Redis), miss (read from the database), bypass (cache off or not trusted).",
    labelNames: ["result"] as const,
    registers,
    collect() {
      const stats = sources.cacheStats?.();
      for (const [field, result] of Object.entries(CACHE_RESULTS) as [keyof typeof CACHE_RESULTS, string][]) {
        const now = stats?.[field] ?? lastCache[field];
        this.labels(result).inc(Math.max(0, now - lastCache[field]));
        lastCache[field] = now;
      }
    },
  });
  new Gauge({
    name: "latchkey_session_cache_entries",
    help: "Sessions held in this process's cache.",
    registers,
    collect() {
      this.set(sources.cacheStats?.().entries ?? 0);
    },
  });
  new Gauge({
    name: "latchkey_redis_connected",
    help: "1 while the Redis client answers, else 0, by client (cache: the shared session cache and its revocations; limits: rate limits). No series without REDIS_URL.",
    labelNames: ["client"] as const,
    registers,
    collect() {
      for (const [client, connected] of Object.entries(sources.redis ?? {})) this.labels(client).set(connected() ? 1 : 0);
    },
  });
  new Gauge({
    name: "latchkey_db_pool_connections",
    help: "Connections of a PostgreSQL pool, by pool (prisma: the repositories; hot: resolve's statements) and state (total, idle). No series on SQLite.",
    labelNames: ["pool", "state"] as const,
    registers,
    collect() {
      for (const [pool, stats] of Object.entries(sources.pools ?? {})) {
        const { total, idle } = stats();
        this.labels(pool, "total").set(total);
        this.labels(pool, "idle").set(idle);
      }
    },
  });
  new Gauge({
    name: "latchkey_db_pool_waiting",
    help: "Queries waiting for a connection of a PostgreSQL pool.",
    labelNames: ["pool"] as const,
    registers,
    collect() {
      for (const [pool, stats] of Object.entries(sources.pools ?? {})) this.labels(pool).set(stats().waiting);
    },
  });
  new Gauge({
    name: "latchkey_refusals_pending",
    help: "Refusals waiting to be written to the refusal log.",
    registers,
    collect() {
      this.set(sources.refusalsPending?.() ?? 0);
    },
  });

  const observer: EngineObserver = {
    tokenChecked(operation, refusal) {
      checkChildren.get(operation)?.get(refusal ?? ACCEPTED)?.inc();
    },
    sessionsCreated(kind: SessionKind, count) {
      createdChildren.get(kind)?.inc(count);
    },
    sessionsEnded(reason, count) {
      (endedChildren.get(reason) ?? ended.labels("OTHER")).inc(count);
    },
    sessionsRotated(count) {
      rotated.inc(count);
    },
    sessionsSwept(counts) {
      sweepBatches.inc();
      for (const field of Object.keys(SWEPT_STATUSES) as (keyof SweepCounts)[]) if (counts[field] > 0) sweptChildren[field].inc(counts[field]);
    },
    sweepStarted() {
      sweepsRunning.inc();
    },
    sweepFinished() {
      sweepsRunning.dec();
      sweepsFinished.inc();
      lastSweep.set(Date.now() / 1000);
    },
  };

  return {
    registry,
    observer,
    /** Where scrape-time gauges read from; set once the process's Latchkey instance exists. */
    watch(next: MetricSources): void {
      sources = next;
    },
    /** A refusal-log entry as it arrives (see RefusalLogOptions.onRecord). */
    refusalRecorded(entry: RefusalEntry, kept: boolean): void {
      refusalChildren.get(entry.operation)?.get(entry.reason)?.inc();
      if (!kept) refusalsDropped.inc();
    },
    /** One answered request; `route` must be a template from a bounded set, never a raw path. */
    requestAnswered(method: string, route: string, status: number, seconds: number): void {
      let byMethod = durationChildren.get(route);
      if (!byMethod) durationChildren.set(route, (byMethod = new Map()));
      let byStatus = byMethod.get(method);
      if (!byStatus) byMethod.set(method, (byStatus = new Map()));
      let child = byStatus.get(status);
      if (!child) byStatus.set(status, (child = requestDuration.labels(method, route, String(status))));
      child.observe(seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const shared = globalThis as typeof globalThis & { [key: symbol]: Metrics | undefined };
const METRICS_KEY = Symbol.for("latchkey.metrics");

/**
 * The process's metrics. Kept on globalThis: the server, the hot path and the Next.js routes are
 * bundled apart and must count into one registry. Each process has its own: Prometheus scrapes
 * every instance.
 */
export function getMetrics(): Metrics {
  return (shared[METRICS_KEY] ??= createMetrics());
}
