import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/client";
import { createScratchDatabase, POSTGRES_ADMIN_URL, type ScratchDatabase } from "../testing/scratch-database";
import { isDatabaseUnavailable } from "./handler";

// A PostgreSQL that goes down ends the queries it is running with "terminating connection due to
// administrator command" (SQLSTATE 57P01), not a refused connection: the API must still answer
// 503 with Retry-After for it, not 500. Real connections, ended by pg_terminate_backend as a
// shutdown ends them.

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  scratch = await createScratchDatabase("postgresql", "latchkey_test_lost");
  database = openDatabase(scratch.url);
});

afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

async function endBackendsRunning(marker: string): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    for (let tries = 0; tries < 100; tries++) {
      const { rows } = await admin.query<{ ended: boolean }>(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
        [`%${marker}%`],
      );
      if (rows.length > 0) return rows.length;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 0;
  } finally {
    await admin.end();
  }
}

describe("a connection ended under a running query", () => {
  it("through Prisma, counts as the database being unavailable", async () => {
    const running = database.prisma.$queryRawUnsafe("SELECT pg_sleep(5) AS prisma_marker").then(
      () => null,
      (error: unknown) => error,
    );
    expect(await endBackendsRunning("prisma_marker")).toBe(1);
    const error = await running;
    expect(error).not.toBeNull();
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("through the pg driver (the hot path's statements), counts as the database being unavailable", async () => {
    const pool = new pg.Pool({ connectionString: scratch.url, max: 1 });
    pool.on("error", () => undefined);
    try {
      const running = pool.query("SELECT pg_sleep(5) AS driver_marker").then(
        () => null,
        (error: unknown) => error,
      );
      expect(await endBackendsRunning("driver_marker")).toBe(1);
      const error = await running;
      expect((error as { code?: string }).code).toBe("57P01");
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it("a query that is wrong is not mistaken for an outage", async () => {
    const error = await database.prisma.$queryRawUnsafe("SELECT * FROM no_such_table").catch((caught: unknown) => caught);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("a lock waited on past lock_timeout counts as unavailable; a protocol violation (a bug) does not", async () => {
    const holder = new pg.Client({ connectionString: scratch.url });
    const waiter = new pg.Client({ connectionString: scratch.url, lock_timeout: 200 });
    await holder.connect();
    await waiter.connect();
    try {
      await holder.query("CREATE TABLE IF NOT EXISTS held (id int PRIMARY KEY)");
      await holder.query("INSERT INTO held VALUES (1) ON CONFLICT DO NOTHING");
      await holder.query("BEGIN");
      await holder.query("UPDATE held SET id = 1 WHERE id = 1");
      const timedOut = await waiter.query("UPDATE held SET id = 1 WHERE id = 1").catch((error: unknown) => error);
      expect((timedOut as { code?: string }).code).toBe("55P03");
      expect(isDatabaseUnavailable(timedOut)).toBe(true);
      await holder.query("ROLLBACK");
      const violation = await waiter.query({ text: "SELECT $1::text, $2::text", values: ["only one"] }).catch((error: unknown) => error);
      expect((violation as { code?: string }).code).toBe("08P01");
      expect(isDatabaseUnavailable(violation)).toBe(false);
    } finally {
      await holder.end();
      await waiter.end();
    }
  });
});
