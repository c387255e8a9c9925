import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("a script on SQLite's connection (the sweep's rebuild of the sessions table)", () => {
  it("runs only inside a transaction, all or nothing, and no other query runs between its statements", async () => {
    const { prisma, runScript } = db.database;
    if (TEST_PROVIDER === "postgresql") {
      // PostgreSQL has no such step: its connections are a pool, and its sweep rebuilds nothing.
      expect(runScript).toBeUndefined();
      return;
    }
    await prisma.$queryRawUnsafe("SELECT 1");
    expect(() => runScript!(`CREATE TABLE "Scripted" ("n" INTEGER)`)).toThrow(/inside a transaction/);
    const tables = async () => (await prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT "name" FROM sqlite_master WHERE "name" LIKE 'Scripted%'`)).map((row) => row.name);
    expect(await tables()).toEqual([]);

    // A statement that fails undoes the ones before it; the transaction goes on.
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`CREATE TABLE "ScriptedKept" ("n" INTEGER)`);
      expect(() => runScript!(`CREATE TABLE "Scripted" ("n" INTEGER); INSERT INTO "Scripted" VALUES (1); INSERT INTO "NoSuchTable" VALUES (1);`)).toThrow(/no such table/);
      await tx.$executeRawUnsafe(`INSERT INTO "ScriptedKept" VALUES (2)`);
    });
    expect(await tables()).toEqual(["ScriptedKept"]);

    // A query from elsewhere, started while the script's transaction waits, runs before or after the
    // script, never between a DROP and a RENAME.
    let seen = "";
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`CREATE TABLE "ScriptedNew" ("n" INTEGER)`);
      const reader = prisma.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT count(*) AS "n" FROM "ScriptedKept"`).then(
        (rows) => (seen = `read ${Number(rows[0]!.n)}`),
        (error: unknown) => (seen = String(error)),
      );
      runScript!(`INSERT INTO "ScriptedNew" SELECT * FROM "ScriptedKept"; DROP TABLE "ScriptedKept"; ALTER TABLE "ScriptedNew" RENAME TO "ScriptedKept";`);
      await reader;
    });
    expect(seen).toBe("read 1");
    expect(await tables()).toEqual(["ScriptedKept"]);
  });
});
