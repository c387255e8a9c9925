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

  it("moves existing rows into applications: console accounts and their sign-ins to the console, everything else to default", async () => {
    // A copy of the project's migrations up to the one before applications.
    const root = mkdtempSync(path.join(tmpdir(), "latchkey-migrations-"));
    const relative = TEST_PROVIDER === "postgresql" ? path.join("prisma", "postgres", "migrations") : path.join("prisma", "migrations");
    const all = readdirSync(path.join(process.cwd(), relative)).filter((name) => /^\d+_/.test(name)).sort();
    const applications = all.findIndex((name) => name.endsWith("_applications"));
    expect(applications).toBeGreaterThan(0);
    mkdirSync(path.join(root, relative), { recursive: true });
    for (const name of all.slice(0, applications)) cpSync(path.join(process.cwd(), relative, name), path.join(root, relative, name), { recursive: true });

    const empty = await emptyDatabase();
    try {
      await applyMigrations(empty.url, { root });
      const t = empty.now;
      const session = (id: string, userId: string, metadata: string, familyId = id, createdAt = t) =>
        `INSERT INTO "Session" ("id", "secretHash", "userId", "kind", "roles", "metadata", "createdAt", "lastSeenAt", "idleTimeoutSeconds", "idleExpiresAt", "absoluteExpiresAt", "familyId")
         VALUES ('${id}', 'h', '${userId}', 'user', '[]', '${metadata}', ${createdAt}, ${t}, 60, ${t}, ${t}, '${familyId}')`;
      await empty.exec([
        `INSERT INTO "User" ("id", "email", "consoleRole", "passwordHash", "createdAt", "updatedAt") VALUES ('u_admin', 'admin@example.com', 'ADMIN', 'hash', ${t}, ${t})`,
        `INSERT INTO "User" ("id", "createdAt", "updatedAt") VALUES ('shopper', ${t}, ${t})`,
        session("console-signin", "u_admin", '{"via":"console"}'),
        session("cli-signin", "u_admin", '{"via":"cli"}'),
        // Minted through the API for the admin's id: never a console credential.
        session("minted", "u_admin", "{}"),
        session("shop-first", "shopper", "{}", "shop-first", empty.earlier),
        session("shop-rotated", "shopper", "{}", "shop-first"),
        `INSERT INTO "ApiKey" ("id", "name", "secretHash", "scopes", "createdAt") VALUES ('key1', 'shop', 'h', '[]', ${t})`,
        `INSERT INTO "AuditEvent" ("at", "type", "actorType", "sessionId", "userId", "details") VALUES (${t}, 'session.created', 'user', 'console-signin', 'u_admin', '{}')`,
        `INSERT INTO "AuditEvent" ("at", "type", "actorType", "sessionId", "userId", "details") VALUES (${t}, 'session.created', 'api_key', 'minted', 'u_admin', '{}')`,
        `INSERT INTO "AuditEvent" ("at", "type", "actorType", "userId", "details") VALUES (${t}, 'user.role_changed', 'user', 'u_admin', '{}')`,
        `INSERT INTO "AuditEvent" ("at", "type", "actorType", "userId", "details") VALUES (${t}, 'user.sessions_revoked', 'api_key', 'shopper', '{}')`,
        `INSERT INTO "Refusal" ("at", "reason", "operation", "source") VALUES (${t}, 'UNKNOWN', 'validate', 'console')`,
        `INSERT INTO "Refusal" ("at", "reason", "operation", "source") VALUES (${t}, 'UNKNOWN', 'resolve', 'shop')`,
        `INSERT INTO "OAuthState" ("id", "secretHash", "createdAt", "expiresAt") VALUES ('state1', 'h', ${t}, ${t})`,
      ]);
      expect(await applyMigrations(empty.url)).toEqual(all.slice(applications));
      const upgraded = openDatabase(empty.url);
      try {
        const { prisma } = upgraded;
        const apps = await prisma.application.findMany({ orderBy: { id: "asc" } });
        expect(apps.map((app) => [app.id, app.name, app.idleTimeoutSeconds])).toEqual([
          ["console", "console", 0],
          ["default", "default", 0],
        ]);
        const users = await prisma.user.findMany({ orderBy: [{ appId: "asc" }, { id: "asc" }] });
        expect(users.map((user) => [user.appId, user.id, user.email, user.consoleRole])).toEqual([
          ["console", "u_admin", "admin@example.com", "ADMIN"],
          ["default", "shopper", null, null],
          ["default", "u_admin", null, null],
        ]);
        const sessions = Object.fromEntries((await prisma.session.findMany()).map((row) => [row.id, row]));
        expect(Object.fromEntries(Object.entries(sessions).map(([id, row]) => [id, row.appId]))).toEqual({
          "console-signin": "console",
          "cli-signin": "console",
          minted: "default",
          "shop-first": "default",
          "shop-rotated": "default",
        });
        // A rotated session's sign-in is its family's first.
        expect(sessions["shop-rotated"]!.startedAt).toEqual(sessions["shop-first"]!.createdAt);
        expect(sessions["minted"]!.startedAt).toEqual(sessions["minted"]!.createdAt);
        expect((await prisma.apiKey.findMany()).map((key) => key.appId)).toEqual(["default"]);
        const events = await prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
        expect(events.map((event) => [event.type, event.sessionId, event.appId])).toEqual([
          ["session.created", "console-signin", "console"],
          ["session.created", "minted", "default"],
          ["user.role_changed", null, "console"],
          ["user.sessions_revoked", null, "default"],
        ]);
        expect((await prisma.refusal.findMany({ orderBy: { id: "asc" } })).map((row) => [row.source, row.appId])).toEqual([
          ["console", "console"],
          ["shop", "default"],
        ]);
        expect((await prisma.oAuthState.findMany()).map((row) => row.appId)).toEqual(["default"]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await empty.drop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A database with nothing in it, of the provider under test, and a way to run raw SQL on it. */
async function emptyDatabase(): Promise<{ url: string; now: string; earlier: string; exec(statements: string[]): Promise<void>; drop(): Promise<void> }> {
  const scratch = await createScratchDatabase(TEST_PROVIDER, "latchkey_test_upgrade");
  if (TEST_PROVIDER === "postgresql") {
    return {
      ...scratch,
      now: "now()",
      earlier: "now() - interval '1 hour'",
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
    earlier: String(Date.now() - 3_600_000),
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
