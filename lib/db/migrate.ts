import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { parseDatabaseUrl, type DatabaseTarget } from "./url";

/**
 * Applies the committed Prisma migrations (prisma/migrations for SQLite, prisma/postgres/migrations
 * for PostgreSQL) that a database lacks, each in its own transaction, and records them in
 * `_prisma_migrations` as `prisma migrate deploy` would, so the Prisma CLI sees the same history.
 * Runs at every start; cheap when there is nothing to do.
 */
export async function applyMigrations(url?: string, options: { root?: string } = {}): Promise<string[]> {
  const target = parseDatabaseUrl(url);
  const root = options.root ?? process.cwd();
  const dir =
    target.provider === "postgresql" ? path.join(root, "prisma", "postgres", "migrations") : path.join(root, "prisma", "migrations");
  const migrations = readMigrations(dir);
  return target.provider === "postgresql" ? migratePostgres(target, migrations) : migrateSqlite(target, migrations);
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir}.`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Opens the SQLite file in WAL mode (a persistent setting of the file). */
export function prepareSqliteFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
}

function migrateSqlite(target: DatabaseTarget, migrations: Migration[]): string[] {
  prepareSqliteFile(target.location);
  const db = new Database(target.location, { timeout: 10_000 });
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const applied: string[] = [];
    const run = db.transaction((migration: Migration) => {
      const done = db
        .prepare(`SELECT 1 FROM "_prisma_migrations" WHERE "migration_name" = ? AND "finished_at" IS NOT NULL`)
        .get(migration.name);
      if (done) return false;
      db.exec(migration.sql);
      db.prepare(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "applied_steps_count")
         VALUES (?, ?, current_timestamp, ?, 1)`,
      ).run(randomUUID(), migration.checksum, migration.name);
      return true;
    });
    // Prisma's SQLite migrations may rebuild a table, which needs foreign keys off; that pragma
    // is ignored inside a transaction, so it is set around each one and the keys checked after.
    for (const migration of migrations) {
      db.pragma("foreign_keys = OFF");
      try {
        if (run.immediate(migration)) applied.push(migration.name);
        const violations = db.pragma("foreign_key_check") as unknown[];
        if (violations.length > 0) throw new Error(`Migration ${migration.name} left ${violations.length} foreign key violations.`);
      } finally {
        db.pragma("foreign_keys = ON");
      }
    }
    // Keeps the query planner's statistics current (cheap when nothing changed): without them
    // SQLite may pick a poor index for the console's filters on large tables.
    db.pragma("optimize=0x10002");
    return applied;
  } finally {
    db.close();
  }
}

const MIGRATION_LOCK = 7_301_245;

async function migratePostgres(target: DatabaseTarget, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    // One migrator at a time when several instances start together.
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL`,
    );
    const done = new Set(rows.map((row) => row.migration_name));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "applied_steps_count")
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`);
      }
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}
