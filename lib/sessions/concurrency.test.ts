import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, TEST_PROVIDER, type TestDatabase } from "../testing/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe(`concurrency on ${TEST_PROVIDER}`, () => {
  it("50 parallel rotations of one token give exactly one new token and one child row", async () => {
    const { engine } = createTestEngine(db);
    const { token, session } = await engine.createSession({ userId: "rotation-race" });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => engine.rotateSession(token)));
    const winners = results.filter((result) => result.status === "fulfilled");
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as { code: string }).code).toBe("ROTATION_CONFLICT");
    }
    const children = await db.database.prisma.session.count({ where: { rotatedFromId: session.id } });
    expect(children).toBe(1);
  });

  it("20 parallel consumes of one OAuth state: exactly one succeeds", async () => {
    const { engine } = createTestEngine(db);
    const { state } = await engine.issueOAuthState({ data: { n: 1 } });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => engine.consumeOAuthState(state)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const consumed = await db.database.prisma.auditEvent.count({ where: { type: "oauth_state.consumed", details: { contains: state.slice(4, 26) } } });
    expect(consumed).toBe(1);
  });

  it("parallel resolves of one token write last-seen once per interval", async () => {
    const { engine, clock } = createTestEngine(db, { touchIntervalSeconds: 60 });
    const { token, session } = await engine.createSession({ userId: "touch-race" });
    clock.advance(2 * 60 * 1000);
    const results = await Promise.all(Array.from({ length: 20 }, () => engine.resolveSession(token)));
    expect(results.every((result) => result.authenticated)).toBe(true);
    const row = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.lastSeenAt.getTime()).toBe(clock.now().getTime());
  });
});

describe(`leases on ${TEST_PROVIDER}`, () => {
  it("of 10 contenders exactly one holds a lease; it can renew; after expiry another takes it", async () => {
    const { root: engine, clock } = createTestEngine(db);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => engine.acquireLease("sweep-test", `instance-${i}`, 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = `instance-${results.indexOf(true)}`;
    const other = holder === "instance-0" ? "instance-1" : "instance-0";
    expect(await engine.acquireLease("sweep-test", holder, 60)).toBe(true);
    expect(await engine.acquireLease("sweep-test", other, 60)).toBe(false);
    clock.advance(61_000);
    expect(await engine.acquireLease("sweep-test", other, 60)).toBe(true);
    await engine.releaseLease("sweep-test", other);
    expect(await engine.acquireLease("sweep-test", holder, 60)).toBe(true);
  });
});
