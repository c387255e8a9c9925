import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { applyMigrations } from "./migrate";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe(`migrations on ${TEST_PROVIDER}`, () => {
  it("records what it applied the way Prisma does, and applies nothing twice", async () => {
    expect(await applyMigrations(db.url)).toEqual([]);
    const rows = await db.database.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL`,
    );
    expect(rows.map((row) => row.migration_name)).toContain("20261126000000_init");
  });
});
