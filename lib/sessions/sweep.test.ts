import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, type TestDatabase } from "../testing/database";
import { ALL_APPS } from "./policy";

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("sweepSessions", () => {
  it("deletes only sessions dead longer than the retention, in batches, leaving tombstones", async () => {
    const { engine, clock } = createTestEngine(db, { idleTimeoutSeconds: 30 * 60, retentionSeconds: 7 * 24 * 3600 });
    const start = clock.now().getTime();
    const idle = await Promise.all(Array.from({ length: 5 }, (_, i) => engine.createSession({ userId: `idle-${i}` })));
    const revoked = await Promise.all(Array.from({ length: 3 }, (_, i) => engine.createSession({ userId: `revoked-${i}` })));
    for (const { session } of revoked) await engine.revokeSession(session.id, { reason: "REVOKED" });
    const capped = await engine.createSession({ userId: "capped", idleTimeoutSeconds: 60, absoluteTimeoutSeconds: 60 });

    // Retention boundary: 1 minute short of 7 days after the idle expiry, nothing goes.
    clock.set(start + 30 * MINUTE + 7 * DAY - MINUTE);
    const live = await engine.createSession({ userId: "live" });
    const recentlyDead = await engine.createSession({ userId: "recent" });
    await engine.revokeSession(recentlyDead.session.id);
    expect(await engine.sweepSessions({ dryRun: true })).toMatchObject({ total: 4, revoked: 3, absoluteExpired: 1, idleExpired: 0 });

    clock.set(start + 30 * MINUTE + 7 * DAY + MINUTE);
    const preview = await engine.sweepSessions({ dryRun: true });
    expect(preview).toMatchObject({ total: 9, idleExpired: 5, revoked: 3, absoluteExpired: 1, dryRun: true });
    expect(await db.database.prisma.session.count()).toBe(11);

    const result = await engine.sweepSessions({ batchSize: 2 });
    expect(result).toMatchObject({ total: 9, idleExpired: 5, revoked: 3, absoluteExpired: 1, dryRun: false });
    expect(await db.database.prisma.session.count()).toBe(2);
    expect((await engine.resolveSession(live.token)).authenticated).toBe(true);
    expect(await engine.getSession(recentlyDead.session.id)).toMatchObject({ status: "revoked" });

    const tombstone = await engine.getSweptSession(revoked[0]!.session.id);
    expect(tombstone).toMatchObject({ userId: "revoked-0", kind: "user", status: "revoked", revokedReason: "REVOKED" });
    // Each tombstone keeps when and how its session ended, when it began, and when it was swept.
    expect(tombstone!.endedAt.getTime()).toBe(start);
    expect(tombstone!.createdAt.getTime()).toBe(start);
    expect(tombstone!.sweptAt.getTime()).toBe(start + 30 * MINUTE + 7 * DAY + MINUTE);
    const cappedTombstone = await engine.getSweptSession(capped.session.id);
    expect(cappedTombstone).toMatchObject({ status: "absolute-expired" });
    expect(cappedTombstone!.endedAt.getTime()).toBe(start + MINUTE);
    const idleTombstone = await engine.getSweptSession(idle[0]!.session.id);
    expect(idleTombstone).toMatchObject({ status: "idle-expired", revokedReason: null });
    expect(idleTombstone!.endedAt.getTime()).toBe(start + 30 * MINUTE);
    expect(await engine.resolveSession(idle[0]!.token)).toMatchObject({ authenticated: false, reason: "UNKNOWN" });

    const [event] = (await engine.listEvents({ type: "sessions.swept" })).items;
    expect(event?.details).toMatchObject({ total: 9 });
  });

  it("sweeps in steps with a limit, so a caller can show progress", async () => {
    const own = await createTestDatabase();
    try {
      const { engine, clock } = createTestEngine(own, { retentionSeconds: 0 });
      for (let i = 0; i < 7; i++) await engine.revokeSession((await engine.createSession({ userId: `step-${i}` })).session.id);
      clock.advance(MINUTE);
      expect(await engine.sweepSessions({ dryRun: true })).toMatchObject({ total: 7 });
      expect(await engine.sweepSessions({ limit: 3 })).toMatchObject({ total: 3 });
      expect(await engine.sweepSessions({ limit: 3, batchSize: 2 })).toMatchObject({ total: 4 }); // whole batches
      expect(await engine.sweepSessions({ limit: 3 })).toMatchObject({ total: 0 });
      expect(await own.database.prisma.session.count()).toBe(0);
    } finally {
      await own.drop();
    }
  });

  it("deletes OAuth states consumed or expired before the cutoff, of its own scope only; a dry run deletes none", async () => {
    const own = await createTestDatabase();
    try {
      const { engine, root, clock } = createTestEngine(own, { retentionSeconds: 24 * 3600 });
      const otherId = (await root.createApplication({ name: "sweep-states-elsewhere" })).id;
      const other = root.app(otherId);
      const start = clock.now().getTime();
      const consumedLongAgo = await engine.issueOAuthState();
      await engine.consumeOAuthState(consumedLongAgo.state);
      await engine.issueOAuthState({ ttlSeconds: 60 }); // expired long ago, never used
      const elsewhere = await other.issueOAuthState();
      await other.consumeOAuthState(elsewhere.state);
      clock.set(start + DAY);
      await engine.issueOAuthState({ ttlSeconds: 60 }); // expired, but inside the retention
      clock.set(start + DAY + 2 * MINUTE);
      const consumedRecently = await engine.issueOAuthState();
      await engine.consumeOAuthState(consumedRecently.state);
      const live = await engine.issueOAuthState({ data: { returnTo: "/after" } });
      const states = () => own.database.prisma.oAuthState.count();
      expect(await states()).toBe(6);

      expect(await engine.sweepSessions({ dryRun: true })).toMatchObject({ dryRun: true, oauthStates: 0 });
      expect(await states()).toBe(6);

      const swept = await engine.sweepSessions();
      expect(swept.oauthStates).toBe(2);
      expect(await states()).toBe(4);
      const [event] = (await engine.listEvents({ type: "sessions.swept" })).items;
      expect(event?.details).toMatchObject({ oauthStates: 2 });
      // What is left still behaves: the live state is consumed once, a used one stays used.
      expect(await engine.consumeOAuthState(live.state)).toEqual({ returnTo: "/after" });
      await expect(engine.consumeOAuthState(consumedRecently.state)).rejects.toMatchObject({ code: "STATE_INVALID" });

      // Another application's old state went only with a sweep of every application.
      expect(await own.database.prisma.oAuthState.count({ where: { appId: otherId } })).toBe(1);
      expect((await root.app(ALL_APPS).sweepSessions()).oauthStates).toBe(1);
      expect(await own.database.prisma.oAuthState.count({ where: { appId: otherId } })).toBe(0);
    } finally {
      await own.drop();
    }
  });

  it("deletes old OAuth states through the whole table, however many there are", async () => {
    // More states than several stretches of the table that SQLite deletes at a time (2,500
    // rowids): the first, the middle and the last stretch each hold some to delete and some to keep.
    const own = await createTestDatabase();
    try {
      const { engine, clock } = createTestEngine(own, { retentionSeconds: 0 });
      const now = clock.now().getTime();
      const rows = Array.from({ length: 25_001 }, (_, i) => ({
        id: `bulk-state-${i}`,
        appId: "default",
        secretHash: `hash-${i}`,
        createdAt: new Date(now - 2 * MINUTE),
        // One in three expired, one in three consumed but not expired, the rest live and unused.
        expiresAt: new Date(i % 3 === 0 ? now - MINUTE : now + 10 * MINUTE),
        consumedAt: i % 3 === 1 ? new Date(now - MINUTE) : null,
      }));
      for (let i = 0; i < rows.length; i += 5_000) await own.database.prisma.oAuthState.createMany({ data: rows.slice(i, i + 5_000) });
      const swept = await engine.sweepSessions();
      const kept = rows.filter((_, i) => i % 3 === 2).map((row) => row.id);
      expect(swept.oauthStates).toBe(rows.length - kept.length);
      const left = await own.database.prisma.oAuthState.findMany({ select: { id: true } });
      expect(left.map((row) => row.id).sort()).toEqual([...kept].sort());
    } finally {
      await own.drop();
    }
  });

  it("concurrent sweeps delete each dead session once and nothing live", async () => {
    const { engine, clock } = createTestEngine(db, { retentionSeconds: 0 }, new Date("2027-01-01T00:00:00Z"));
    const dead = await Promise.all(Array.from({ length: 40 }, (_, i) => engine.createSession({ userId: `race-${i}`, idleTimeoutSeconds: 60 })));
    clock.advance(2 * MINUTE);
    const live = await Promise.all(Array.from({ length: 10 }, (_, i) => engine.createSession({ userId: `keep-${i}` })));
    const preview = await engine.sweepSessions({ dryRun: true });
    expect(preview.total).toBeGreaterThanOrEqual(dead.length);
    const results = await Promise.all(Array.from({ length: 4 }, () => engine.sweepSessions({ batchSize: 5 })));
    expect(results.reduce((sum, result) => sum + result.total, 0)).toBe(preview.total);
    expect(await db.database.prisma.session.count()).toBe(live.length);
    for (const { token } of live) expect((await engine.resolveSession(token)).authenticated).toBe(true);
    const tombstones = await db.database.prisma.sweptSession.count({ where: { userId: { startsWith: "race-" } } });
    expect(tombstones).toBe(40);
  });
});

// Last: it leaves sessions behind, and the tests above count every session of the database.
describe("the sweep preview", () => {
  it("counts in one pass what a sweep would delete by how and how long ago it ended, and what the retention keeps", async () => {
    const { root, clock } = createTestEngine(db, { idleTimeoutSeconds: 30 * 60, retentionSeconds: 24 * 3600 });
    const application = await root.createApplication({ name: `preview-${Date.now()}` }, { type: "user", id: "admin", label: "admin@example.test" });
    const engine = root.app(application.id);
    const start = clock.now().getTime();
    const r1 = await engine.createSession({ userId: "r1" });
    await engine.revokeSession(r1.session.id);
    await engine.createSession({ userId: "i1" });
    await engine.createSession({ userId: "c1", idleTimeoutSeconds: 60, absoluteTimeoutSeconds: 60 });
    clock.set(start + 60 * DAY);
    const r2 = await engine.createSession({ userId: "r2" });
    await engine.revokeSession(r2.session.id);
    clock.set(start + 95 * DAY);
    await engine.createSession({ userId: "i2" });
    clock.set(start + 100 * DAY);
    const r3 = await engine.createSession({ userId: "r3" });
    await engine.revokeSession(r3.session.id);
    await engine.createSession({ userId: "live" });
    clock.set(start + 100 * DAY + 10 * MINUTE);

    // i1 passed its idle timeout first, but its absolute cap (30 days) too before the cutoff: a
    // sweep counts it as absolute-expired.
    const { value, live } = await engine.sweepPreview();
    expect(live).toBe(true);
    expect(value).toEqual({
      sweepable: { revoked: 2, absoluteExpired: 2, idleExpired: 1, total: 5 },
      byAge: { toMonth: 1, toQuarter: 1, older: 3 },
      retained: { count: 1, firstDeletableAt: new Date(start + 101 * DAY), retentionSeconds: 24 * 3600 },
    });
    expect(await engine.sweepSessions({ dryRun: true })).toMatchObject({ revoked: 2, absoluteExpired: 2, idleExpired: 1, total: 5 });
    expect(await engine.retainedSessions()).toEqual(value.retained);
  });
});
