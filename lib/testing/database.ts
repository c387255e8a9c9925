import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "../db/client";
import { applyMigrations } from "../db/migrate";
import { createPrismaSessionRepository } from "../db/session-repository";
import { createFakeClock, type FakeClock } from "../sessions/clock";
import { resolveSessionConfig, type SessionConfig } from "../sessions/config";
import { createSessionEngine, type SessionEngine } from "../sessions/engine";
import type { SessionRepository } from "../sessions/repository";

/** Which store the suite runs on: LATCHKEY_TEST_DATABASE=sqlite (default) or postgres. */
export const TEST_PROVIDER = process.env.LATCHKEY_TEST_DATABASE === "postgres" ? "postgresql" : "sqlite";

const POSTGRES_ADMIN_URL = process.env.LATCHKEY_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Tests create and drop databases: never let them near anything but this machine. */
function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to run tests against a non-local database host (${host}).`);
  }
}

export interface TestDatabase {
  url: string;
  database: Database;
  repository: SessionRepository;
  drop(): Promise<void>;
}

/** A fresh, migrated database of the provider under test, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_PROVIDER === "postgresql") {
    assertLocal(POSTGRES_ADMIN_URL);
    const name = `latchkey_test_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    await applyMigrations(url.toString());
    const database = openDatabase(url.toString());
    return {
      url: url.toString(),
      database,
      repository: createPrismaSessionRepository(database),
      async drop() {
        await database.close();
        const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await cleanup.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-test-"));
  const url = `file:${path.join(dir, "test.db")}`;
  await applyMigrations(url);
  const database = openDatabase(url);
  return {
    url,
    database,
    repository: createPrismaSessionRepository(database),
    async drop() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestEngine {
  engine: SessionEngine;
  clock: FakeClock;
  config: SessionConfig;
}

/** An engine over a test database with its own fake clock. */
export function createTestEngine(db: TestDatabase, overrides: Partial<SessionConfig> = {}, start?: Date): TestEngine {
  const clock = createFakeClock(start ?? new Date("2026-03-01T12:00:00.000Z"));
  const config = resolveSessionConfig(overrides);
  return { engine: createSessionEngine({ repository: db.repository, config, clock }), clock, config };
}
