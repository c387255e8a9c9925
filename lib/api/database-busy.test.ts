import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { isDatabaseUnavailable } from "./handler";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("a transaction that waits too long for its turn", () => {
  it("counts as the database being unavailable (answered 503, not 500)", async () => {
    const prisma = db.database.prisma;
    // Every turn taken for a second: SQLite's one connection by one transaction (a transaction
    // waiting on it is told it waited too long once it gets it), PostgreSQL's pool of 10 by ten.
    const holders = Array.from({ length: TEST_PROVIDER === "sqlite" ? 1 : 10 }, () =>
      prisma.$transaction(async (tx) => {
        await tx.$queryRawUnsafe("SELECT 1");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const error = await prisma.$transaction(async (tx) => tx.$queryRawUnsafe("SELECT 1"), { maxWait: 100 }).then(
      () => null,
      (caught: unknown) => caught,
    );
    await Promise.all(holders);
    expect((error as { code?: string } | null)?.code).toBe("P2028");
    expect(isDatabaseUnavailable(error)).toBe(true);
    // And the database goes on afterwards.
    expect(await prisma.$transaction(async (tx) => tx.$queryRawUnsafe<unknown[]>("SELECT 1 AS one"))).toHaveLength(1);
  });
});
