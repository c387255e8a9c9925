import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { createScratchDatabase } from "../testing/scratch-database";
import { openDatabase } from "./client";
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

  it("applies later migrations over rows written under the first one, keeping them", async () => {
    // A copy of the project's migrations holding only the first one.
    const root = mkdtempSync(path.join(tmpdir(), "latchkey-migrations-"));
    const relative = TEST_PROVIDER === "postgresql" ? path.join("prisma", "postgres", "migrations") : path.join("prisma", "migrations");
    const all = readdirSync(path.join(process.cwd(), relative)).filter((name) => /^\d+_/.test(name)).sort();
    expect(all.length).toBeGreaterThan(1);
    mkdirSync(path.join(root, relative), { recursive: true });
    cpSync(path.join(process.cwd(), relative, all[0]!), path.join(root, relative, all[0]!), { recursive: true });

    const empty = await emptyDatabase();
    try {
      expect(await applyMigrations(empty.url, { root })).toEqual([all[0]]);
      await empty.exec([
        `INSERT INTO "User" ("id", "email", "createdAt", "updatedAt") VALUES ('old-user', 'old@example.com', ${empty.now}, ${empty.now})`,
        `INSERT INTO "Session" ("id", "secretHash", "userId", "kind", "roles", "metadata", "createdAt", "lastSeenAt", "idleTimeoutSeconds", "idleExpiresAt", "absoluteExpiresAt", "familyId")
         VALUES ('old-session', 'h', 'old-user', 'user', '[]', '{}', ${empty.now}, ${empty.now}, 60, ${empty.now}, ${empty.now}, 'old-session')`,
      ]);
      expect(await applyMigrations(empty.url)).toEqual(all.slice(1));
      const upgraded = openDatabase(empty.url);
      const session = await upgraded.prisma.session.findUniqueOrThrow({ where: { id: "old-session" }, include: { user: true } });
      expect(session.user).toMatchObject({ email: "old@example.com", mustChangePassword: false });
      expect(session.authenticatedAt).toBeNull();
      await upgraded.close();
    } finally {
      await empty.drop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A database with nothing in it, of the provider under test, and a way to run raw SQL on it. */
async function emptyDatabase(): Promise<{ url: string; now: string; exec(statements: string[]): Promise<void>; drop(): Promise<void> }> {
  const scratch = await createScratchDatabase(TEST_PROVIDER, "latchkey_test_upgrade");
  if (TEST_PROVIDER === "postgresql") {
    return {
      ...scratch,
      now: "now()",
      async exec(statements) {
        const client = new pg.Client({ connectionString: scratch.url });
        await client.connect();
        try {
          for (const statement of statements) await client.query(statement);
        } finally {
          await client.end();
        }
      },
    };
  }
  return {
    ...scratch,
    now: String(Date.now()),
    async exec(statements) {
      const raw = new Database(scratch.url.replace(/^file:/, ""));
      try {
        for (const statement of statements) raw.exec(statement);
      } finally {
        raw.close();
      }
    },
  };
}
