import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { openHotStatements } from "./hot-statements";

// The metrics' database pool gauges read these (lib/server/metrics.ts): PostgreSQL's pools only.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("pool stats", () => {
  it("report the connections of both PostgreSQL pools, and none on SQLite", async () => {
    const hot = openHotStatements(db.url);
    try {
      await db.database.ping();
      await hot.findSessionWithUser("no-such-session");
      if (TEST_PROVIDER === "sqlite") {
        expect(db.database.poolStats).toBeUndefined();
        expect(hot.poolStats).toBeUndefined();
        return;
      }
      for (const stats of [db.database.poolStats!(), hot.poolStats!()]) {
        expect(stats.total).toBeGreaterThanOrEqual(1);
        expect(stats.idle).toBeLessThanOrEqual(stats.total);
        expect(stats.waiting).toBe(0);
      }
    } finally {
      await hot.close();
    }
  });
});
