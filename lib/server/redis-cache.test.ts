import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHotStatements, type HotStatements } from "../db/hot-statements";
import { systemClock } from "../sessions/clock";
import { resolveSessionConfig } from "../sessions/config";
import { createSessionEngine } from "../sessions/engine";
import { cachingRepository, createSessionCache } from "../sessions/session-cache";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { privateRedis, type PrivateRedis } from "../testing/redis-server";
import { createRedisSessionCache } from "./redis-cache";

let db: TestDatabase;
let hot: HotStatements;
let redis: PrivateRedis;
const instances: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  hot = openHotStatements(db.url);
  redis = await privateRedis();
});
afterAll(async () => {
  for (const instance of instances) await instance.close();
  await redis.stop();
  await hot.close();
  await db.drop();
});

/** One app instance: its own process-local cache, the shared Redis, the shared database. */
async function instance() {
  const shared = createRedisSessionCache(redis.url, { log: () => undefined });
  await shared.ready;
  const cache = createSessionCache({ maxEntries: 1_000, clock: systemClock, shared });
  instances.push(shared);
  const engine = createSessionEngine({ repository: cachingRepository(db.repository, hot, cache), config: resolveSessionConfig({}), clock: systemClock }).app("default");
  const outcome = async (token: string) => {
    const result = await engine.resolveSession(token);
    return result.authenticated ? "authenticated" : result.reason;
  };
  return { engine, cache, shared, outcome };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - start;
}

describe(`shared cache on Redis, database ${TEST_PROVIDER}`, () => {
  it("a session one instance read is served to another from Redis", async () => {
    const a = await instance();
    const b = await instance();
    const { token } = await a.engine.createSession({ userId: "redis-shared" });
    expect(await a.outcome(token)).toBe("authenticated");
    expect(await b.outcome(token)).toBe("authenticated");
    expect(b.cache.stats()).toMatchObject({ sharedHits: 1, misses: 0 });
    expect(await b.outcome(token)).toBe("authenticated");
    expect(b.cache.stats().hits).toBe(1);
  });

  it("revoked through one instance, refused by the other within a second", async () => {
    const a = await instance();
    const b = await instance();
    const { token, session } = await a.engine.createSession({ userId: "redis-revoke" });
    for (const each of [a, b, a, b]) expect(await each.outcome(token)).toBe("authenticated");
    // b answered from its own memory: the revocation has to reach that memory.
    expect(b.cache.stats().hits).toBe(1);
    await a.engine.revokeSession(session.id, { reason: "REVOKED" });
    const delay = await waitFor(async () => (await b.outcome(token)) === "REVOKED", 1_000);
    console.info(`revocation seen by the other instance after ${delay.toFixed(1)} ms`);
    expect(delay).toBeLessThan(1_000);

    const everywhere = await Promise.all([1, 2, 3].map(() => a.engine.createSession({ userId: "redis-everywhere" })));
    for (const { token: each } of everywhere) expect(await b.outcome(each)).toBe("authenticated");
    await a.engine.revokeUserSessions("redis-everywhere");
    await waitFor(async () => (await Promise.all(everywhere.map(({ token: each }) => b.outcome(each)))).every((r) => r === "REVOKED"), 1_000);
  });

  it("with Redis stopped, a session revoked meanwhile is refused everywhere and resolve keeps answering from the database", async () => {
    const a = await instance();
    const b = await instance();
    const doomed = await a.engine.createSession({ userId: "redis-outage" });
    const live = await a.engine.createSession({ userId: "redis-outage" });
    for (const each of [a, b, a, b]) {
      expect(await each.outcome(doomed.token)).toBe("authenticated");
      expect(await each.outcome(live.token)).toBe("authenticated");
    }

    await redis.stop();
    await waitFor(() => !a.shared.healthy() && !b.shared.healthy(), 3_000);
    await a.engine.revokeSession(doomed.session.id, { reason: "REVOKED" });
    const bypassedBefore = b.cache.stats().bypassed;
    for (const each of [a, b]) {
      expect(await each.outcome(doomed.token)).toBe("REVOKED");
      expect(await each.outcome(live.token)).toBe("authenticated");
    }
    expect(b.cache.stats().bypassed).toBe(bypassedBefore + 2);
    expect(b.cache.stats().entries).toBe(0);

    await redis.start();
    await waitFor(() => a.shared.healthy() && b.shared.healthy(), 5_000);
    const servedBefore = b.cache.stats().hits + b.cache.stats().sharedHits;
    for (const each of [a, b, a, b]) {
      expect(await each.outcome(doomed.token)).toBe("REVOKED");
      expect(await each.outcome(live.token)).toBe("authenticated");
    }
    // Caching is back: b serves the live session from memory or from Redis again (which of the
    // two depends on when the other instance's new epoch reached b).
    expect(b.cache.stats().hits + b.cache.stats().sharedHits).toBeGreaterThan(servedBefore);
  });
});
