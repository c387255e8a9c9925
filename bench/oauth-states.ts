// `npm run bench:oauth-states -- [--only sqlite|postgres] [--states 1000000]`
// A sweep after a sign-in storm: a table of OAuth states, a third expired, a third consumed, a
// third live. The floor deletes the old ones in one statement through the raw driver; then, on
// the same table filled again, Latchkey's sweep deletes them. For each: the wall time and the
// longest the process's event loop was held (what a resolve arriving then would wait), from a
// timer that ticks every millisecond beside it.
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { runBench, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { parseDatabaseUrl } from "../lib/db/url";
import { systemClock } from "../lib/sessions/clock";
import { resolveSessionConfig } from "../lib/sessions/config";
import { createSessionEngine } from "../lib/sessions/engine";
import { createScratchDatabase } from "../lib/testing/scratch-database";

process.env.TZ = "UTC";
const { values } = parseArgs({ options: { only: { type: "string" }, states: { type: "string", default: "1000000" } } });
const STATES = Number(values.states);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Runs `work` with a 1 ms timer beside it; returns its result, its wall time and the longest gap between ticks. */
async function held<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; longestMs: number }> {
  let longest = 0;
  let running = true;
  let last = performance.now();
  const ticker = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }
  })();
  const started = performance.now();
  last = started;
  const result = await work();
  const ms = performance.now() - started;
  running = false;
  await ticker;
  return { result, ms, longestMs: longest };
}

async function bench(provider: BenchProvider): Promise<string[]> {
  const target = await createScratchDatabase(provider === "sqlite" ? "sqlite" : "postgresql", "bench-states");
  try {
    await applyMigrations(target.url);
    const now = Date.now();
    const fill = `INSERT INTO "OAuthState" ("id", "appId", "secretHash", "data", "createdAt", "expiresAt", "consumedAt")`;
    // One in three expired a minute ago, one in three consumed a minute ago and live, one in three live.
    const cases = (i: string, time: (ms: number) => string) =>
      `'st' || ${i}, 'default', 'hash' || ${i}, NULL, ${time(now - 120_000)}, CASE WHEN ${i} % 3 = 0 THEN ${time(now - 60_000)} ELSE ${time(now + 600_000)} END, CASE WHEN ${i} % 3 = 1 THEN ${time(now - 60_000)} ELSE NULL END`;
    const oldOnes = Math.ceil(STATES / 3) + Math.floor((STATES + 1) / 3);
    let floor: Awaited<ReturnType<typeof held<number>>>;
    let refill: () => Promise<void>;
    if (provider === "sqlite") {
      const raw = new BetterSqlite3(parseDatabaseUrl(target.url).location, { timeout: 10_000 });
      refill = async () => {
        raw.exec(`DELETE FROM "OAuthState"`);
        raw.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${STATES - 1}) ${fill} SELECT ${cases("i", (ms) => String(ms))} FROM n`);
      };
      await refill();
      const statement = raw.prepare(`DELETE FROM "OAuthState" WHERE "expiresAt" < ? OR "consumedAt" < ?`);
      floor = await held(async () => statement.run(Date.now(), Date.now()).changes);
      await refill();
      raw.close();
    } else {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      refill = async () => {
        await client.query(`DELETE FROM "OAuthState"`);
        await client.query(`${fill} SELECT ${cases("i", (ms) => `to_timestamp(${ms / 1000})`)} FROM generate_series(0, ${STATES - 1}) i`);
        await client.query(`VACUUM ANALYZE "OAuthState"`);
      };
      await refill();
      floor = await held(async () => (await client.query(`DELETE FROM "OAuthState" WHERE "expiresAt" < $1 OR "consumedAt" < $1`, [new Date()])).rowCount ?? 0);
      await refill();
      await client.end();
    }
    const database = openDatabase(target.url);
    try {
      const engine = createSessionEngine({ repository: createPrismaSessionRepository(database), config: resolveSessionConfig({}), clock: systemClock }).app("default");
      // The server has made its first queries long before a sweep: so has this process.
      await engine.sweepSessions({ dryRun: true, retentionSeconds: 0 });
      await engine.sweepSessions({ retentionSeconds: 3600 });
      const sweep = await held(() => engine.sweepSessions({ retentionSeconds: 0 }));
      if (floor.result !== oldOnes || sweep.result.oauthStates !== oldOnes) throw new Error(`expected ${oldOnes} old states deleted, the floor deleted ${floor.result} and the sweep ${sweep.result.oauthStates}`);
      return [
        `### ${provider === "sqlite" ? "SQLite" : "PostgreSQL"}: ${fmt(STATES)} OAuth states, ${fmt(oldOnes)} of them expired or consumed`,
        "",
        "| deleting the old states | wall time | longest the event loop was held |",
        "| --- | ---: | ---: |",
        `| raw ${provider === "sqlite" ? "better-sqlite3" : "pg"} DELETE, one statement (the floor) | ${fmt(floor.ms)} ms | ${fmt(floor.longestMs)} ms |`,
        `| Latchkey sweep (no sessions to sweep) | ${fmt(sweep.ms)} ms | ${fmt(sweep.longestMs)} ms |`,
      ];
    } finally {
      await database.close();
    }
  } finally {
    await target.drop();
  }
}

runBench({ only: values.only, setup: `${fmt(STATES)} OAuth states`, bench });
