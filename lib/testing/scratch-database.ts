import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

/** Where tests and benchmarks create their PostgreSQL databases (an admin connection). */
export const POSTGRES_ADMIN_URL = process.env.LATCHKEY_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Tests and benchmarks create and drop databases: never let them near anything but this machine. */
function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to create or drop databases on a non-local host (${host}).`);
  }
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * An empty database of its own, not yet migrated: a SQLite file in a temporary folder, or a new
 * PostgreSQL database next to LATCHKEY_TEST_POSTGRES_URL. `drop` removes it.
 */
export async function createScratchDatabase(provider: "sqlite" | "postgresql", prefix: string): Promise<ScratchDatabase> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
    return { url: `file:${path.join(dir, "db.sqlite")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  assertLocal(POSTGRES_ADMIN_URL);
  const name = `${prefix.replace(/-/g, "_")}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
