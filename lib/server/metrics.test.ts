import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createMetrics } from "./metrics";
import { bearerMatches } from "./observe";

async function valueOf(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const wanted = Object.entries(labels);
  return metric?.values.find((value) => wanted.every(([key, expected]) => String(value.labels[key]) === expected) && Object.keys(value.labels).length >= wanted.length)?.value;
}

describe("createMetrics", () => {
  it("exports every series of the fixed label sets at 0 before anything happened", async () => {
    const metrics = createMetrics();
    const text = await metrics.registry.metrics();
    expect(text).toContain('latchkey_token_checks_total{operation="resolve",result="refused",reason="REUSE_DETECTED"} 0');
    expect(text).toContain('latchkey_sessions_ended_total{reason="LOGGED_OUT_EVERYWHERE"} 0');
    expect(text).toContain('latchkey_sessions_created_total{kind="guest"} 0');
    expect(text).toContain('latchkey_refusals_total{operation="refresh",reason="RATE_LIMITED"} 0');
    // Gauges of things not configured (Redis, a PostgreSQL pool) have no series at all.
    expect(text).not.toMatch(/^latchkey_redis_connected\{/m);
    expect(text).not.toMatch(/^latchkey_db_pool_connections\{/m);
  });

  it("counts what the observer is told, and reads gauges from their sources when scraped", async () => {
    const metrics = createMetrics();
    metrics.observer.tokenChecked("resolve", null);
    metrics.observer.tokenChecked("resolve", null);
    metrics.observer.tokenChecked("refresh", "IDLE_EXPIRED");
    metrics.observer.sessionsEnded("SESSION_LIMIT", 3);
    metrics.observer.sessionsSwept({ idleExpired: 2, absoluteExpired: 0, revoked: 5 });
    metrics.refusalRecorded({ appId: "a", at: new Date(), reason: "UNKNOWN", operation: "resolve", source: "k", sessionId: null, userId: null, revokedReason: null, ip: null, userAgent: null }, false);
    let stats = { hits: 5, sharedHits: 1, misses: 2, bypassed: 0, entries: 7 };
    let redisUp = true;
    metrics.watch({ cacheStats: () => stats, redis: { cache: () => redisUp }, pools: { hot: () => ({ total: 4, idle: 3, waiting: 1 }) } });

    expect(await valueOf(metrics, "latchkey_token_checks_total", { operation: "resolve", result: "accepted" })).toBe(2);
    expect(await valueOf(metrics, "latchkey_token_checks_total", { operation: "refresh", reason: "IDLE_EXPIRED" })).toBe(1);
    expect(await valueOf(metrics, "latchkey_sessions_ended_total", { reason: "SESSION_LIMIT" })).toBe(3);
    expect(await valueOf(metrics, "latchkey_sessions_swept_total", { status: "revoked" })).toBe(5);
    expect(await valueOf(metrics, "latchkey_sweep_batches_total")).toBe(1);
    expect(await valueOf(metrics, "latchkey_refusals_total", { operation: "resolve", reason: "UNKNOWN" })).toBe(1);
    expect(await valueOf(metrics, "latchkey_refusals_dropped_total")).toBe(1);
    expect(await valueOf(metrics, "latchkey_session_cache_lookups_total", { result: "hit" })).toBe(5);
    expect(await valueOf(metrics, "latchkey_session_cache_entries")).toBe(7);
    expect(await valueOf(metrics, "latchkey_redis_connected", { client: "cache" })).toBe(1);
    expect(await valueOf(metrics, "latchkey_db_pool_connections", { pool: "hot", state: "idle" })).toBe(3);
    expect(await valueOf(metrics, "latchkey_db_pool_waiting", { pool: "hot" })).toBe(1);

    // The cache's counters are read as they grow, never counted twice.
    stats = { ...stats, hits: 9 };
    redisUp = false;
    expect(await valueOf(metrics, "latchkey_session_cache_lookups_total", { result: "hit" })).toBe(9);
    expect(await valueOf(metrics, "latchkey_session_cache_lookups_total", { result: "miss" })).toBe(2);
    expect(await valueOf(metrics, "latchkey_redis_connected", { client: "cache" })).toBe(0);
  });

  it("times requests under their route template", async () => {
    const metrics = createMetrics();
    metrics.requestAnswered("POST", "/api/v1/sessions/resolve", 200, 0.0004);
    metrics.requestAnswered("POST", "/api/v1/sessions/resolve", 200, 0.003);
    metrics.requestAnswered("GET", "/sessions/[id]", 404, 0.02);
    const text = await metrics.registry.metrics();
    expect(text).toContain('latchkey_http_request_duration_seconds_count{method="POST",route="/api/v1/sessions/resolve",status="200"} 2');
    expect(text).toContain('latchkey_http_request_duration_seconds_bucket{le="0.0005",method="POST",route="/api/v1/sessions/resolve",status="200"} 1');
    expect(text).toContain('latchkey_http_request_duration_seconds_count{method="GET",route="/sessions/[id]",status="404"} 1');
  });
});

describe("bearerMatches", () => {
  const token = "metrics-token-0123456789";
  const expected = createHash("sha256").update(token).digest();
  it.each([
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`Bearer  ${token} `, true],
    [`Bearer ${token}x`, false],
    [`Bearer ${token.slice(0, -1)}`, false],
    [token, false],
    ["Bearer ", false],
    ["", false],
    [`Basic ${token}`, false],
    [undefined, false],
    [[`Bearer ${token}`], false],
  ])("%s → %s", (header, matches) => {
    expect(bearerMatches(header, expected)).toBe(matches);
  });
});
