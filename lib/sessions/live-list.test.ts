import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, type TestDatabase } from "../testing/database";
import { generateId } from "./tokens";

const DAY = 24 * 3_600_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("a list of live sessions", () => {
  it("holds every live session once, page after page, when thousands of newer ones have ended", async () => {
    const { engine, clock } = createTestEngine(db, {}, new Date("2026-03-01T12:00:00.000Z"));
    const now = clock.now().getTime();
    const prisma = db.database.prisma;
    const userId = `list-${generateId()}`;
    const at = new Date(now - 90 * DAY);
    await prisma.user.create({ data: { appId: "default", id: userId, createdAt: at, updatedAt: at } });
    const session = (id: string, createdAt: Date, idleExpiresAt: Date) => ({
      id, appId: "default", secretHash: `hash-${id}`, userId, kind: "user", roles: "[]", metadata: "{}", tenantId: "long-lived",
      createdAt, startedAt: createdAt, lastSeenAt: createdAt, idleTimeoutSeconds: 1800, idleExpiresAt,
      absoluteExpiresAt: new Date(now + 30 * DAY), familyId: id,
    });
    // 30 live sessions signed in long ago, pairs of them at the same instant; then 2,500 newer ones, all ended.
    const live = Array.from({ length: 30 }, (_, i) => session(generateId(), new Date(now - 60 * DAY + Math.floor(i / 2) * 1000), new Date(now + DAY)));
    await prisma.session.createMany({ data: live });
    for (let batch = 0; batch < 5; batch++) {
      await prisma.session.createMany({
        data: Array.from({ length: 500 }, (_, i) => session(generateId(), new Date(now - DAY + (batch * 500 + i) * 1000), new Date(now - 3_600_000))),
      });
    }

    const orders: string[][] = [];
    for (const order of ["desc", "asc"] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.listSessions({ tenantId: "long-lived", status: ["active"], order, limit: 7, cursor });
        expect(page.items.every((item) => item.status === "active")).toBe(true);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(30);
      expect(new Set(seen)).toEqual(new Set(live.map((row) => row.id)));
      orders.push(seen);
    }
    expect(orders[1]).toEqual([...orders[0]!].reverse());
    expect(await engine.countSessions({ tenantId: "long-lived", status: ["active"] })).toEqual({ count: 30, more: false });
    expect(await engine.countSessions({ status: ["active"] }, 20)).toEqual({ count: 20, more: true });
  });
});
