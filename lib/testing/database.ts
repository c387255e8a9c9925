import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "../db/client";
import { applyMigrations } from "../db/migrate";
import { createPrismaSessionRepository } from "../db/session-repository";
import { createFakeClock, type FakeClock } from "../sessions/clock";
import { resolveSessionConfig, type SessionConfig } from "../sessions/config";
import { createSessionEngine, type AppEngine, type SessionEngine } from "../sessions/engine";
import { DEFAULT_APP_ID } from "../sessions/policy";
import type { SessionRepository } from "../sessions/repository";
import { createScratchDatabase } from "./scratch-database";

/** Which store the suite runs on: LATCHKEY_TEST_DATABASE=sqlite (default) or postgres. */
export const TEST_PROVIDER = process.env.LATCHKEY_TEST_DATABASE === "postgres" ? "postgresql" : "sqlite";

export interface TestDatabase {
  url: string;
  database: Database;
  repository: SessionRepository;
  drop(): Promise<void>;
}

/** A fresh, migrated database of the provider under test, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const scratch = await createScratchDatabase(TEST_PROVIDER, "latchkey_test");
  await applyMigrations(scratch.url);
  const database = openDatabase(scratch.url);
  return {
    url: scratch.url,
    database,
    repository: createPrismaSessionRepository(database),
    async drop() {
      await database.close();
      await scratch.drop();
    },
  };
}

export interface TestEngine {
  /** The engine within the application "default" (whose policy, unset, is `config`'s). */
  engine: AppEngine;
  /** The whole engine: other applications, all of them, leases. */
  root: SessionEngine;
  clock: FakeClock;
  config: SessionConfig;
}

/** An engine over a test database with its own fake clock. */
export function createTestEngine(db: TestDatabase, overrides: Partial<SessionConfig> = {}, start?: Date): TestEngine {
  const clock = createFakeClock(start ?? new Date("2026-03-01T12:00:00.000Z"));
  const config = resolveSessionConfig(overrides);
  // Figures are computed for every read, however long they take (figures.test.ts tries the sharing).
  const root = createSessionEngine({ repository: db.repository, config, clock, figuresOptions: { liveBelowMs: Infinity } });
  return { engine: root.app(DEFAULT_APP_ID), root, clock, config };
}

/** A user id no other test uses. */
export function uniqueUser(prefix = "user"): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}
