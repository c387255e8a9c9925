import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createFakeClock } from "./clock";
import { createRefusalLog, type RefusalEntry } from "./refusal-log";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const DAY = 24 * 60 * 60 * 1000;

function entry(source: string, at: Date): RefusalEntry {
  return { appId: "default", at, reason: "UNKNOWN", operation: "resolve", source, sessionId: null, userId: null, revokedReason: null, ip: "203.0.113.1", userAgent: "curl/8" };
}

const count = (source: string) => db.database.prisma.refusal.count({ where: { source } });

describe("refusal log", () => {
  it("takes entries without writing, then writes them in one batch on flush", async () => {
    const clock = createFakeClock(new Date("2026-12-01T00:00:00Z"));
    const log = createRefusalLog({ store: db.repository, clock, retentionSeconds: 7 * 86400, flushIntervalMs: 60_000 });
    const insert = vi.spyOn(db.repository, "insertRefusals");
    for (let i = 0; i < 3; i++) log.record(entry("flush", clock.now()));
    expect(await count("flush")).toBe(0);
    await log.flush();
    expect(await count("flush")).toBe(3);
    expect(insert).toHaveBeenCalledTimes(1);
    insert.mockRestore();
  });

  it("writes by itself after the interval, and as soon as a batch is full", async () => {
    const clock = createFakeClock(new Date("2026-12-01T00:00:00Z"));
    const timed = createRefusalLog({ store: db.repository, clock, retentionSeconds: 7 * 86400, flushIntervalMs: 20 });
    timed.record(entry("timer", clock.now()));
    await vi.waitFor(async () => expect(await count("timer")).toBe(1), { timeout: 2000, interval: 10 });

    const batched = createRefusalLog({ store: db.repository, clock, retentionSeconds: 7 * 86400, flushIntervalMs: 60_000, batchSize: 4 });
    for (let i = 0; i < 4; i++) batched.record(entry("batch", clock.now()));
    await vi.waitFor(async () => expect(await count("batch")).toBe(4), { timeout: 2000, interval: 10 });
  });

  it("drops and counts entries beyond its bound instead of growing", async () => {
    const clock = createFakeClock(new Date("2026-12-01T00:00:00Z"));
    const log = createRefusalLog({ store: db.repository, clock, retentionSeconds: 7 * 86400, flushIntervalMs: 60_000, maxPending: 3 });
    for (let i = 0; i < 5; i++) log.record(entry("bounded", clock.now()));
    expect(log.dropped).toBe(2);
    await log.flush();
    expect(await count("bounded")).toBe(3);
  });

  it("deletes refusals older than the retention when it writes, at most once an hour", async () => {
    const clock = createFakeClock(new Date("2026-12-10T00:00:00Z"));
    const log = createRefusalLog({ store: db.repository, clock, retentionSeconds: 7 * 86400, flushIntervalMs: 60_000 });
    log.record(entry("old", new Date(clock.now().getTime() - 8 * DAY)));
    log.record(entry("recent", new Date(clock.now().getTime() - 6 * DAY)));
    await log.flush(); // written, then pruned: the 8-day-old one goes
    expect(await count("old")).toBe(0);
    expect(await count("recent")).toBe(1);
    log.record(entry("old", new Date(clock.now().getTime() - 8 * DAY)));
    await log.flush(); // within the hour: not pruned again
    expect(await count("old")).toBe(1);
    clock.advance(60 * 60 * 1000);
    log.record(entry("recent", clock.now()));
    await log.flush();
    expect(await count("old")).toBe(0);
  });

  it("a failed write is reported and dropped; the request path never sees it", async () => {
    const clock = createFakeClock(new Date("2026-12-01T00:00:00Z"));
    const errors: unknown[] = [];
    const store = { insertRefusals: () => Promise.reject(new Error("disk full")), deleteRefusalsBefore: () => Promise.resolve(0) };
    const log = createRefusalLog({ store, clock, retentionSeconds: 86400, onError: (error) => errors.push(error) });
    expect(() => log.record(entry("failing", clock.now()))).not.toThrow();
    await expect(log.flush()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
