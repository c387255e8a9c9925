import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateRedis, type PrivateRedis } from "../testing/redis-server";
import { createLimits } from "./limits";
import { createMetrics } from "./metrics";
import { createRedisSessionCache } from "./redis-cache";

// latchkey_redis_connected against a real Redis that goes away and comes back.
let redis: PrivateRedis;
beforeAll(async () => {
  redis = await privateRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe("latchkey_redis_connected", () => {
  it("is 1 per client while Redis answers, 0 while it is down, 1 again once it is back", async () => {
    const shared = createRedisSessionCache(redis.url, { log: () => undefined });
    const limits = createLimits({ redisUrl: redis.url, apiAuthFailureLimit: 20, apiTokenFailureLimit: 600 });
    await Promise.all([shared.ready, limits.ready]);
    const metrics = createMetrics();
    metrics.watch({ redis: { cache: () => shared.healthy(), limits: limits.redisConnected! } });
    const connected = async () => {
      const metric = await metrics.registry.getSingleMetric("latchkey_redis_connected")!.get();
      return Object.fromEntries(metric.values.map((value) => [value.labels.client, value.value]));
    };
    try {
      await expect.poll(connected, { timeout: 5_000 }).toEqual({ cache: 1, limits: 1 });
      await redis.stop();
      await expect.poll(connected, { timeout: 5_000 }).toEqual({ cache: 0, limits: 0 });
      await redis.start();
      await expect.poll(connected, { timeout: 10_000 }).toEqual({ cache: 1, limits: 1 });
    } finally {
      await shared.close();
      await limits.close();
    }
  });

  it("has no series without Redis", async () => {
    const limits = createLimits({ redisUrl: null, apiAuthFailureLimit: 20, apiTokenFailureLimit: 600 });
    expect(limits.redisConnected).toBeUndefined();
    const metrics = createMetrics();
    metrics.watch({ redis: {} });
    expect((await metrics.registry.getSingleMetric("latchkey_redis_connected")!.get()).values).toEqual([]);
    await limits.close();
  });
});
