import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateRedis, type PrivateRedis } from "../testing/redis-server";
import { createLimits, SIGN_IN_LIMITS, type Limits } from "./limits";

let redis: PrivateRedis;
const opened: Limits[] = [];
beforeAll(async () => {
  redis = await privateRedis();
});
afterAll(async () => {
  for (const limits of opened) await limits.close();
  await redis.stop();
});

const SMALL = { ...SIGN_IN_LIMITS, perAccountAndAddress: 3, perAddress: 8, perAccountCeiling: 6, slowdownStepMs: 100, slowdownMaxMs: 300 };

async function limits(redisUrl: string | null, apiAuthFailureLimit = 4) {
  const created = createLimits({ redisUrl, apiAuthFailureLimit, apiTokenFailureLimit: 100, signIn: SMALL });
  opened.push(created);
  await created.ready;
  return created;
}

let accounts = 0;
const anAccount = () => `person-${++accounts}@example.com`;

for (const store of ["in the process", "in Redis"] as const) {
  describe(`sign-in limits ${store}`, () => {
    const make = () => limits(store === "in Redis" ? redis.url : null);
    const inRedis = store === "in Redis";

    it("wrong passwords for one account from one address lock that address out of that account only", async () => {
      const instance = await make();
      const account = anAccount();
      for (let i = 0; i < SMALL.perAccountAndAddress; i++) await instance.signIn.failed(account, "203.0.113.1");
      expect((await instance.signIn.check(account, "203.0.113.1")).retryAfter).toBeGreaterThan(0);
      // Another instance (or this one after a restart) sees the same count only through Redis.
      expect((await (await make()).signIn.check(account, "203.0.113.1")).retryAfter > 0).toBe(inRedis);
      expect((await instance.signIn.check(account, "198.51.100.1")).retryAfter).toBe(0);
      expect((await instance.signIn.check(anAccount(), "203.0.113.1")).retryAfter).toBe(0);
    });

    it("lockout is no weapon: failures from other addresses never lock the owner's address; past the ceiling they slow it", async () => {
      const instance = await make();
      const account = anAccount();
      for (let address = 1; address <= 4; address++) {
        for (let i = 0; i < 2; i++) await instance.signIn.failed(account, `198.51.100.${address}`);
      }
      const owner = await instance.signIn.check(account, "203.0.113.77");
      expect(owner.retryAfter).toBe(0);
      expect(owner.delayMs).toBeGreaterThanOrEqual(SMALL.slowdownStepMs);
      expect(owner.delayMs).toBeLessThanOrEqual(SMALL.slowdownMaxMs);
      // Below the ceiling nothing is slowed.
      expect((await instance.signIn.check(anAccount(), "203.0.113.77")).delayMs).toBe(0);
    });

    it("a right password forgets that address's failures for the account", async () => {
      const instance = await make();
      const account = anAccount();
      for (let i = 0; i < SMALL.perAccountAndAddress - 1; i++) await instance.signIn.failed(account, "203.0.113.2");
      await instance.signIn.succeeded(account, "203.0.113.2");
      await instance.signIn.failed(account, "203.0.113.2");
      expect((await instance.signIn.check(account, "203.0.113.2")).retryAfter).toBe(0);
    });

    it("one address guessing at many accounts is stopped at its own ceiling", async () => {
      const instance = await make();
      for (let i = 0; i < SMALL.perAddress; i++) await instance.signIn.failed(anAccount(), "203.0.113.3");
      expect((await instance.signIn.check(anAccount(), "203.0.113.3")).retryAfter).toBeGreaterThan(0);
    });

    it("every address of one IPv6 /64 counts as one client", async () => {
      const instance = await make();
      const account = anAccount();
      for (let i = 0; i < SMALL.perAccountAndAddress; i++) await instance.signIn.failed(account, `2001:db8:5:6::${i + 1}`);
      expect((await instance.signIn.check(account, "2001:db8:5:6:ffff::9")).retryAfter).toBeGreaterThan(0);
      expect((await instance.signIn.check(account, "2001:db8:5:7::1")).retryAfter).toBe(0);
    });
  });
}

describe("limits shared through Redis", () => {
  it("wrong passwords spread across two instances are limited as if there were one", async () => {
    const [a, b] = await Promise.all([limits(redis.url), limits(redis.url)]);
    const account = anAccount();
    await a.signIn.failed(account, "203.0.113.4");
    await b.signIn.failed(account, "203.0.113.4");
    await a.signIn.failed(account, "203.0.113.4");
    expect((await b.signIn.check(account, "203.0.113.4")).retryAfter).toBeGreaterThan(0);
    expect((await a.signIn.check(account, "203.0.113.4")).retryAfter).toBeGreaterThan(0);
  });

  it("in-process limits of two instances each allow the whole limit: the reason to share them", async () => {
    const [a, b] = await Promise.all([limits(null), limits(null)]);
    const account = anAccount();
    await a.signIn.failed(account, "203.0.113.5");
    await b.signIn.failed(account, "203.0.113.5");
    await a.signIn.failed(account, "203.0.113.5");
    expect((await b.signIn.check(account, "203.0.113.5")).retryAfter).toBe(0);
  });

  it("API authentication failures spread across instances block each instance at its next failure past the shared limit", async () => {
    const [a, b] = await Promise.all([limits(redis.url), limits(redis.url)]);
    expect(await a.apiAuth.recordFailure("203.0.113.6")).toBe(0);
    expect(await b.apiAuth.recordFailure("203.0.113.6")).toBe(0);
    expect(await a.apiAuth.recordFailure("203.0.113.6")).toBe(0);
    expect(await b.apiAuth.recordFailure("203.0.113.6")).toBeGreaterThan(0);
    expect(b.apiAuth.retryAfter("203.0.113.6")).toBeGreaterThan(0);
    expect(a.apiAuth.retryAfter("203.0.113.6")).toBe(0);
    expect(await a.apiAuth.recordFailure("203.0.113.6")).toBeGreaterThan(0);
    expect(a.apiAuth.retryAfter("203.0.113.6")).toBeGreaterThan(0);
    expect(a.apiAuth.retryAfter("198.51.100.6")).toBe(0);
  });

  it("with Redis down, counting goes on in the process, and sign-in is never refused for want of Redis", async () => {
    const instance = await limits(redis.url);
    const account = anAccount();
    await redis.stop();
    try {
      expect((await instance.signIn.check(account, "203.0.113.8")).retryAfter).toBe(0);
      for (let i = 0; i < SMALL.perAccountAndAddress; i++) await instance.signIn.failed(account, "203.0.113.8");
      expect((await instance.signIn.check(account, "203.0.113.8")).retryAfter).toBeGreaterThan(0);
    } finally {
      await redis.start();
    }
  });
});
