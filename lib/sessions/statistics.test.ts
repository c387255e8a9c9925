import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, type TestDatabase } from "../testing/database";
import { ENDING_REASONS } from "./types";

const HOUR = 3_600_000;
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("statistics and the audit log", () => {
  it("counts live, expired and recently revoked sessions, per hour and day, and the top devices", async () => {
    const { engine, clock } = createTestEngine(db, { idleTimeoutSeconds: 2 * 3600 }, new Date("2026-06-10T10:30:00Z"));
    await engine.createSession({ userId: "s-old", userAgent: FIREFOX, idleTimeoutSeconds: 60 });
    clock.advance(3 * HOUR);
    for (let i = 0; i < 3; i++) await engine.createSession({ userId: `s-${i}`, userAgent: CHROME });
    const revoked = await engine.createSession({ userId: "s-revoked", userAgent: FIREFOX });
    await engine.revokeSession(revoked.session.id);
    clock.advance(HOUR);

    const stats = await engine.getStatistics();
    expect(stats).toMatchObject({ active: 3, expiredNotSwept: 1, revokedLast24h: 1 });
    expect(stats.createdPerHour).toHaveLength(48);
    expect(stats.createdPerHour.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(5);
    const busiest = stats.createdPerHour.find((bucket) => bucket.count === 4);
    expect(busiest?.at.toISOString()).toBe("2026-06-10T13:00:00.000Z");
    expect(stats.createdPerDay.at(-1)).toMatchObject({ at: new Date("2026-06-10T00:00:00Z"), count: 5 });
    expect(stats.topBrowsers).toEqual([{ value: "Chrome", count: 3 }]);
    expect(stats.topDeviceTypes).toEqual([{ value: "desktop", count: 3 }]);
  });

  it("counts as revoked in the last 24 h the sign-ins ended then, not rotations; the same filter lists exactly those", async () => {
    const { root, clock } = createTestEngine(db, {}, new Date("2026-06-12T08:00:00Z"));
    const admin = { type: "user" as const, id: "u-admin", label: "admin@example.com" };
    const engine = root.app((await root.createApplication({ name: `revoked-card-${Date.now()}` }, admin)).id);
    const longAgo = await engine.createSession({ userId: "r-1" });
    await engine.revokeSession(longAgo.session.id);
    clock.advance(HOUR);
    const ended: string[] = [];
    for (const userId of ["r-2", "r-3"]) {
      const { session } = await engine.createSession({ userId });
      await engine.revokeSession(session.id, { reason: "SIGNED_OUT" });
      ended.push(session.id);
    }
    const rotating = await engine.createSession({ userId: "r-4" });
    await engine.rotateSession(rotating.token);
    const thief = await engine.createSession({ userId: "r-5" });
    const rotated = await engine.rotateSession(thief.token);
    clock.advance(60_000);
    expect(await engine.resolveSession(thief.token)).toMatchObject({ authenticated: false, reason: "REUSE_DETECTED" });
    ended.push(rotated.session.id);
    // The first revocation falls 1 ms outside the window.
    clock.advance(23 * HOUR - 60_000 + 1);

    const stats = await engine.getStatistics();
    expect(stats.revokedSince).toEqual(new Date(clock.now().getTime() - 24 * HOUR));
    // Two signed out, and the stolen token's sign-in (its replaced session only counts as rotated).
    const listed = await engine.listSessions({ revokedFrom: stats.revokedSince, reason: [...ENDING_REASONS], limit: 500 });
    expect(listed.items.map((session) => session.id).sort()).toEqual([...ended].sort());
    expect(stats.revokedLast24h).toBe(listed.items.length);
    // The console's match count: exact up to its cap, "more" beyond.
    const filter = { revokedFrom: stats.revokedSince, reason: [...ENDING_REASONS] };
    expect(await engine.countSessions(filter)).toEqual({ count: 3, more: false });
    expect(await engine.countSessions(filter, 2)).toEqual({ count: 2, more: true });
    expect(listed.items.map((session) => session.id)).not.toContain(longAgo.session.id);
  });

  it("filters audit events by actor, type, user, session and time, newest first, a page at a time", async () => {
    const { engine, clock } = createTestEngine(db, {}, new Date("2026-07-01T00:00:00Z"));
    const support = { type: "user" as const, id: "u-support", label: "support@example.com" };
    const sessions = [];
    for (let i = 0; i < 5; i++) {
      sessions.push(await engine.createSession({ userId: "audited" }));
      clock.advance(60_000);
    }
    for (const { session } of sessions) await engine.revokeSession(session.id, { note: "cleanup" }, support);

    const byActor = await engine.listEvents({ actor: "support@example", type: "session.revoked", limit: 2 });
    expect(byActor.items).toHaveLength(2);
    expect(byActor.items.every((event) => event.actorLabel === "support@example.com")).toBe(true);
    expect(byActor.items[0]!.id).toBeGreaterThan(byActor.items[1]!.id);
    const rest = await engine.listEvents({ actor: "u-support", type: "session.revoked", limit: 10, before: byActor.nextBefore! });
    expect(rest.items).toHaveLength(3);
    expect(rest.nextBefore).toBeNull();

    const oneSession = await engine.listEvents({ sessionId: sessions[2]!.session.id });
    expect(oneSession.items.map((event) => event.type)).toEqual(["session.revoked", "session.created"]);
    const early = await engine.listEvents({ userId: "audited", type: "session.created", to: new Date("2026-07-01T00:01:30Z") });
    expect(early.items).toHaveLength(2);
  });
});
