import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { ALL_APPS } from "./policy";
import type { SweepCursor } from "./repository";
import { generateId } from "./tokens";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ADMIN = { type: "user" as const, id: "op-admin", label: "admin@example.com" };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** `count` sessions of `appId` written straight to the table, each as `shape` makes it. */
async function insertSessions(appId: string, count: number, shape: (i: number) => { revokedAt?: Date; idleExpiresAt: Date; absoluteExpiresAt: Date; browser?: string }) {
  const prisma = db.database.prisma;
  const tag = generateId();
  const users = Array.from({ length: 50 }, (_, i) => `walk-${tag}-${i}`);
  const at = new Date("2026-01-01T00:00:00.000Z");
  await prisma.user.createMany({ data: users.map((id) => ({ appId, id, createdAt: at, updatedAt: at })) });
  const ids: string[] = [];
  for (let from = 0; from < count; from += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, count - from) }, (_, k) => {
      const i = from + k;
      const id = generateId();
      ids.push(id);
      const { revokedAt, idleExpiresAt, absoluteExpiresAt, browser = "Firefox" } = shape(i);
      return {
        id, appId, secretHash: `hash-${id}`, userId: users[i % users.length]!, kind: "user", roles: "[]", metadata: "{}",
        browser, os: "Linux", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
        createdAt: at, startedAt: at, lastSeenAt: at, idleTimeoutSeconds: 1800, idleExpiresAt, absoluteExpiresAt,
        revokedAt: revokedAt ?? null, revokedReason: revokedAt ? "REVOKED" : null, familyId: id,
      };
    });
    await prisma.session.createMany({ data: rows });
  }
  return ids;
}

/** SQLite's definitions of the Session table, its indexes and its triggers. */
async function sessionSchema(): Promise<string[]> {
  const rows = await db.database.prisma.$queryRawUnsafe<{ sql: string }[]>(`SELECT "sql" FROM sqlite_master WHERE "tbl_name" = 'Session' AND "sql" IS NOT NULL ORDER BY "type", "name"`);
  return rows.map((row) => row.sql);
}

// Each test writes tens of thousands of sessions: up to half a minute on a two-core machine, more
// while other suites run beside it.
describe("a sweep of most of the table", () => {
  it("walks PostgreSQL's table page by page, rebuilds SQLite's, and deletes exactly the dead sessions of its application", async () => {
    const { root, clock } = createTestEngine(db, { retentionSeconds: 7 * 24 * 3600 }, new Date("2026-03-01T12:00:00.000Z"));
    const now = clock.now().getTime();
    const app = await root.createApplication({ name: `walk-${generateId()}` }, ADMIN);
    const other = await root.createApplication({ name: `walk-other-${generateId()}` }, ADMIN);
    const longAgo = new Date(now - 30 * DAY);
    // 12,000 dead for weeks, in three ways; 300 live; 200 dead since yesterday (kept by the retention).
    const dead = await insertSessions(app.id, 12_000, (i) =>
      i % 3 === 0
        ? { revokedAt: longAgo, idleExpiresAt: new Date(now + DAY), absoluteExpiresAt: new Date(now + 10 * DAY) }
        : i % 3 === 1
          ? { idleExpiresAt: longAgo, absoluteExpiresAt: new Date(now + DAY) }
          : { idleExpiresAt: new Date(now - 20 * DAY), absoluteExpiresAt: longAgo, browser: i % 2 === 0 ? "Swept Browser" : "Firefox" },
    );
    const live: string[] = [];
    const prisma = db.database.prisma;
    const at = new Date("2026-01-01T00:00:00.000Z");
    await prisma.user.create({ data: { appId: app.id, id: "walk-live", createdAt: at, updatedAt: at } });
    const liveEngine = root.app(app.id);
    const first = await liveEngine.createSession({ userId: "walk-live" });
    const liveToken = first.token;
    live.push(first.session.id);
    for (let i = 1; i < 300; i++) live.push((await liveEngine.createSession({ userId: "walk-live" })).session.id);
    const recent = await insertSessions(other.id, 200, () => ({ idleExpiresAt: new Date(now - DAY), absoluteExpiresAt: new Date(now + DAY) }));
    const otherDead = await insertSessions(other.id, 10_000, () => ({ idleExpiresAt: longAgo, absoluteExpiresAt: new Date(now + DAY) }));
    if (TEST_PROVIDER === "postgresql") await prisma.$executeRawUnsafe(`ANALYZE "Session"`);

    const cutoff = new Date(now - 7 * DAY);
    const lanes = await db.repository.planSweep(app.id, cutoff, 500);
    const [plan] = lanes as [SweepCursor, ...SweepCursor[]];
    expect(new Set(lanes.map((lane) => lane.by))).toEqual(new Set([TEST_PROVIDER === "postgresql" ? "pages" : "rebuild"]));
    const schemaBefore = TEST_PROVIDER === "sqlite" ? await sessionSchema() : [];

    let firstStretch = 0;
    if (plan.by === "pages") {
      // Stretches of the table, one after the other from its first page, walked at once.
      const stretches = lanes as (typeof plan)[];
      expect(stretches.length).toBeGreaterThan(1);
      expect(plan.page).toBe(0);
      for (let i = 1; i < stretches.length; i++) expect(stretches[i]!.page).toBe(stretches[i - 1]!.end);
      for (const stretch of stretches) expect(stretch.end).toBeGreaterThan(stretch.page);
      // One stretch of the walk deletes the application's dead sessions on those pages, no others.
      const onFirstPage = `SELECT count(*)::int AS "n" FROM "Session" WHERE "ctid" < '(1,0)'::tid AND "appId" = $1
        AND ("revokedAt" <= $2 OR ("revokedAt" IS NULL AND ("idleExpiresAt" <= $2 OR "absoluteExpiresAt" <= $2)))`;
      const [{ n }] = (await prisma.$queryRawUnsafe<{ n: number }[]>(onFirstPage, app.id, cutoff)) as [{ n: number }];
      const step = await db.repository.sweepBatch(app.id, cutoff, clock.now(), 500, { ...plan, page: 0, pages: 1 });
      firstStretch = step.idleExpired + step.absoluteExpired + step.revoked;
      expect(n).toBeGreaterThan(0);
      expect(firstStretch).toBe(n);
      expect(step.next).toEqual({ ...plan, page: 1, pages: 1 });
    }

    // Two sweeps at once (two instances, say), each walking its stretches: every dead session is
    // swept by one of them, once.
    // Meanwhile other requests read the table: none finds it missing or half built (on SQLite they
    // share the connection with the sweep's transaction).
    let sweeping = true;
    let reads = 0;
    const reader = (async () => {
      while (sweeping) {
        expect(await liveEngine.listUserSessions("walk-live")).toHaveLength(300);
        expect(await prisma.session.count({ where: { id: live[0] } })).toBe(1);
        reads += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const results = await Promise.all([liveEngine.sweepSessions({ batchSize: 500 }), liveEngine.sweepSessions({ batchSize: 500 })]).finally(() => (sweeping = false));
    await reader;
    expect(reads).toBeGreaterThan(10);
    expect(results[0].total + results[1].total + firstStretch).toBe(12_000);
    for (const result of results) expect(result.revoked + result.idleExpired + result.absoluteExpired).toBe(result.total);
    // What is left of the application is its live sessions; of the other, everything.
    expect(await prisma.session.count({ where: { appId: app.id } })).toBe(300);
    expect(await prisma.session.count({ where: { id: { in: live } } })).toBe(300);
    expect(await prisma.sweptSession.count({ where: { appId: app.id } })).toBe(12_000);
    expect(await prisma.session.count({ where: { appId: other.id } })).toBe(recent.length + otherDead.length);
    const tombstone = await liveEngine.getSweptSession(dead[0]!);
    expect(tombstone).toMatchObject({ status: "revoked", revokedReason: "REVOKED" });
    expect(tombstone!.endedAt.getTime()).toBe(longAgo.getTime());
    expect((await liveEngine.getSweptSession(dead[2]!))!.endedAt.getTime()).toBe(longAgo.getTime());

    if (TEST_PROVIDER === "sqlite") {
      // The rebuilt table is defined as before, with the same indexes and triggers, and they work.
      expect(await sessionSchema()).toEqual(schemaBefore);
      const texts = async () => (await prisma.$queryRawUnsafe<{ value: string }[]>(`SELECT "value" FROM "SessionDeviceText" WHERE "field" = 'browser'`)).map((row) => row.value);
      expect(await texts()).toContain("Firefox");
      expect(await texts()).not.toContain("Swept Browser");
      const recentSession = await prisma.session.findUniqueOrThrow({ where: { id: recent[0]! } });
      await prisma.session.update({ where: { id: recentSession.id }, data: { browser: "Renamed Browser" } });
      expect(await texts()).toContain("Renamed Browser");
      expect((await liveEngine.resolveSession(liveToken)).authenticated).toBe(true);
      // A second rebuild, of the other application's dead sessions, finds the table as the first left it.
      expect(await db.repository.planSweep(other.id, cutoff, 500)).toEqual([{ by: "rebuild" }]);
      const second = await root.app(other.id).sweepSessions({ batchSize: 500 });
      expect(second.total).toBe(otherDead.length);
      expect(await prisma.session.count({ where: { appId: other.id } })).toBe(recent.length);
      expect(await prisma.session.count({ where: { appId: app.id } })).toBe(300);
      expect(await sessionSchema()).toEqual(schemaBefore);
    }
  }, 120_000);

  it("sweeps in batches when the table keeps more than it would sweep, and in steps never rebuilds", async () => {
    const { root, clock } = createTestEngine(db, { retentionSeconds: 0 }, new Date("2026-03-01T12:00:00.000Z"));
    const now = clock.now().getTime();
    const app = await root.createApplication({ name: `few-${generateId()}` }, ADMIN);
    await insertSessions(app.id, 11_000, () => ({ idleExpiresAt: new Date(now - DAY), absoluteExpiresAt: new Date(now + DAY) }));
    await insertSessions(app.id, 12_000, () => ({ idleExpiresAt: new Date(now + DAY), absoluteExpiresAt: new Date(now + 2 * DAY) }));
    const cutoff = clock.now();
    if (TEST_PROVIDER === "sqlite") expect(await db.repository.planSweep(app.id, cutoff, 500)).toEqual([{ by: "index" }]);
    const stepped = await root.app(app.id).sweepSessions({ limit: 1_000, batchSize: 500 });
    expect(stepped.total).toBe(1_000);
    expect(await db.database.prisma.session.count({ where: { appId: app.id } })).toBe(22_000);
  }, 120_000);

  it("a sweep of every application (the schedule's) rebuilds SQLite's table too, keeping every live session of every application", async () => {
    const { root, clock } = createTestEngine(db, { retentionSeconds: 0 }, new Date("2026-03-01T12:00:00.000Z"));
    const now = clock.now().getTime();
    const apps = [await root.createApplication({ name: `all-${generateId()}` }, ADMIN), await root.createApplication({ name: `all-${generateId()}` }, ADMIN)];
    for (const app of apps) {
      await insertSessions(app.id, 8_000, (i) => (i % 2 ? { revokedAt: new Date(now - HOUR), idleExpiresAt: new Date(now + DAY), absoluteExpiresAt: new Date(now + DAY) } : { idleExpiresAt: new Date(now - HOUR), absoluteExpiresAt: new Date(now + DAY) }));
      await insertSessions(app.id, 100, () => ({ idleExpiresAt: new Date(now + HOUR), absoluteExpiresAt: new Date(now + DAY) }));
    }
    const prisma = db.database.prisma;
    const at = clock.now();
    const live = { revokedAt: null, idleExpiresAt: { gt: at }, absoluteExpiresAt: { gt: at } };
    const liveBefore = await prisma.session.findMany({ where: live, select: { id: true }, orderBy: { id: "asc" } });
    const deadBefore = (await prisma.session.count()) - liveBefore.length;
    if (TEST_PROVIDER === "postgresql") await prisma.$executeRawUnsafe(`ANALYZE "Session"`);
    const [plan] = await db.repository.planSweep(ALL_APPS, at, 500);
    expect(plan!.by).toBe(TEST_PROVIDER === "postgresql" ? "pages" : "rebuild");
    const result = await root.app(ALL_APPS).sweepSessions({ batchSize: 500 });
    expect(result.total).toBe(deadBefore);
    expect(await prisma.session.findMany({ select: { id: true }, orderBy: { id: "asc" } })).toEqual(liveBefore);
    for (const app of apps) expect(await prisma.session.count({ where: { appId: app.id } })).toBe(100);
  }, 120_000);
});
