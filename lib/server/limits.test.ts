import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { privateRedis, type PrivateRedis } from "../testing/redis-server";
import { createLimits, SIGN_IN_LIMITS, type Limits } from "./limits";

let redis: PrivateRedis;
let db: TestDatabase;
const opened: Limits[] = [];
beforeAll(async () => {
  redis = await privateRedis();
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const limits of opened) await limits.close();
  await redis.stop();
  await db.drop();
});

const SMALL = { ...SIGN_IN_LIMITS, perAccountAndAddress: 3, perAddress: 8, perAccountCeiling: 6, perAccountKnownOnly: 9, slowdownStepMs: 100, slowdownMaxMs: 300 };

async function limits(redisUrl: string | null, apiAuthFailureLimit = 4) {
  const created = createLimits({ redisUrl, database: db.database.prisma, apiAuthFailureLimit, apiTokenFailureLimit: 100, signIn: SMALL });
  opened.push(created);
  await created.ready;
  return created;
}

let accounts = 0;
const anAccount = () => `person-${++accounts}-${Date.now()}@example.com`;

/** `count` wrong guesses at `account` from `ip`: attempts that never succeed. */
async function guess(instance: Limits, account: string, ip: string, count = 1): Promise<void> {
  for (let i = 0; i < count; i++) await instance.signIn.attempt(account, ip);
}

for (const store of ["in the process", "in Redis"] as const) {
  describe(`sign-in limits ${store}`, () => {
    const inRedis = store === "in Redis";
    const make = () => limits(inRedis ? redis.url : null);

    it("guesses at one account from one address lock that address out of that account only", async () => {
      const instance = await make();
      const account = anAccount();
      await guess(instance, account, "203.0.113.1", SMALL.perAccountAndAddress);
      expect((await instance.signIn.attempt(account, "203.0.113.1")).retryAfter).toBeGreaterThan(0);
      // Another instance (or this one after a restart) sees the same count only through Redis.
      expect((await (await make()).signIn.attempt(account, "203.0.113.1")).retryAfter > 0).toBe(inRedis);
      expect((await instance.signIn.attempt(account, "198.51.100.1")).retryAfter).toBe(0);
      expect((await instance.signIn.attempt(anAccount(), "203.0.113.1")).retryAfter).toBe(0);
    });

    it("guesses sent all at once count as many: each attempt counts before its password is checked", async () => {
      const instance = await make();
      const account = anAccount();
      const answers = await Promise.all(Array.from({ length: 12 }, () => instance.signIn.attempt(account, "203.0.113.9")));
      expect(answers.filter((answer) => answer.retryAfter === 0)).toHaveLength(SMALL.perAccountAndAddress);
    });

    it("lockout is no weapon: guesses from other addresses slow the account down, and past the last ceiling only its known addresses may try", async () => {
      const instance = await make();
      const account = anAccount();
      // The owner signed in from their own address before.
      await instance.signIn.attempt(account, "203.0.113.77");
      await instance.signIn.succeeded(account, "203.0.113.77");
      for (let address = 1; address <= 5; address++) await guess(instance, account, `198.51.100.${address}`, 2);
      const owner = await instance.signIn.attempt(account, "203.0.113.77");
      expect(owner.retryAfter).toBe(0);
      expect(owner.delayMs).toBeGreaterThanOrEqual(SMALL.slowdownStepMs);
      expect(owner.delayMs).toBeLessThanOrEqual(SMALL.slowdownMaxMs);
      await instance.signIn.succeeded(account, "203.0.113.77");
      // A new address is refused now; the owner's is not.
      expect((await instance.signIn.attempt(account, "198.51.100.200")).retryAfter).toBeGreaterThan(0);
      expect((await instance.signIn.attempt(account, "203.0.113.77")).retryAfter).toBe(0);
      // Below the ceiling nothing is slowed.
      expect((await instance.signIn.attempt(anAccount(), "203.0.113.77")).delayMs).toBe(0);
    });

    it("a right password gives its attempt back", async () => {
      const instance = await make();
      const account = anAccount();
      await guess(instance, account, "203.0.113.2", SMALL.perAccountAndAddress - 1);
      await instance.signIn.attempt(account, "203.0.113.2");
      await instance.signIn.succeeded(account, "203.0.113.2");
      await guess(instance, account, "203.0.113.2", SMALL.perAccountAndAddress - 1);
      expect((await instance.signIn.attempt(account, "203.0.113.2")).retryAfter).toBe(0);
    });

    it("one address guessing at many accounts is stopped at its own ceiling", async () => {
      const instance = await make();
      for (let i = 0; i < SMALL.perAddress; i++) await instance.signIn.attempt(anAccount(), "203.0.113.3");
      expect((await instance.signIn.attempt(anAccount(), "203.0.113.3")).retryAfter).toBeGreaterThan(0);
    });

    it("every address of one IPv6 /64 counts as one client", async () => {
      const instance = await make();
      const account = anAccount();
      for (let i = 0; i < SMALL.perAccountAndAddress; i++) await instance.signIn.attempt(account, `2001:db8:5:6::${i + 1}`);
      expect((await instance.signIn.attempt(account, "2001:db8:5:6:ffff::9")).retryAfter).toBeGreaterThan(0);
      expect((await instance.signIn.attempt(account, "2001:db8:5:7::1")).retryAfter).toBe(0);
    });
  });
}

describe(`limits shared through Redis, insured by ${TEST_PROVIDER}`, () => {
  it("guesses spread across two instances are limited as if there were one", async () => {
    const [a, b] = await Promise.all([limits(redis.url), limits(redis.url)]);
    const account = anAccount();
    await guess(a, account, "203.0.113.4");
    await guess(b, account, "203.0.113.4");
    await guess(a, account, "203.0.113.4");
    expect((await b.signIn.attempt(account, "203.0.113.4")).retryAfter).toBeGreaterThan(0);
    expect((await a.signIn.attempt(account, "203.0.113.4")).retryAfter).toBeGreaterThan(0);
  });

  it("in-process limits of two instances each allow the whole limit: the reason to share them", async () => {
    const [a, b] = await Promise.all([limits(null), limits(null)]);
    const account = anAccount();
    await guess(a, account, "203.0.113.5");
    await guess(b, account, "203.0.113.5");
    await guess(a, account, "203.0.113.5");
    expect((await b.signIn.attempt(account, "203.0.113.5")).retryAfter).toBe(0);
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

  it("with Redis down, every instance counts in the database together, never in its own memory", async () => {
    const [a, b] = await Promise.all([limits(redis.url), limits(redis.url)]);
    const account = anAccount();
    await redis.stop();
    try {
      await guess(a, account, "203.0.113.8");
      await guess(b, account, "203.0.113.8");
      await guess(a, account, "203.0.113.8");
      expect((await b.signIn.attempt(account, "203.0.113.8")).retryAfter).toBeGreaterThan(0);
      const counted = await db.database.prisma.rateLimit.findMany({ where: { key: { contains: account } } });
      expect(counted.length).toBeGreaterThan(0);
    } finally {
      await redis.start();
    }
  });
});
