// `npm run bench:hot-path -- [--only sqlite|postgres] [--sessions 1000000] [--seconds 3]`
// On a database of 1,100,000 dead sessions plus 2,000 live ones, in one process:
//   1. resolve: a cache hit beside a Map + SHA-256 floor, and beside itself without the
//      application check; a cache miss beside the raw driver
//      (better-sqlite3 sequential, pg with 16 in flight), and the Prisma path it replaced;
//   2. the floor for deleting dead sessions on this schema: the raw driver deletes 100,000 of them
//      in batches like the sweep's, keeping no tombstones; then a sweep of the other 1,000,000:
//      wall time, and the latency of a resolver running beside it (through the database, not the
//      cache), timed from when each resolve is wanted, and of sign-ins one after another;
//   3. log out everywhere of a user with 10,000 sessions.
import { createHash, timingSafeEqual } from "node:crypto";
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { percentile, runBench, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { seedDemoData } from "../lib/db/demo-seed";
import { openHotStatements } from "../lib/db/hot-statements";
import { applyMigrations } from "../lib/db/migrate";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { parseDatabaseUrl } from "../lib/db/url";
import { loadEnv } from "../lib/env";
import { systemClock } from "../lib/sessions/clock";
import { resolveSessionConfig } from "../lib/sessions/config";
import { createSessionEngine, type AppEngine } from "../lib/sessions/engine";
import { ALL_APPS, DEFAULT_APP_ID } from "../lib/sessions/policy";
import { cachingRepository, createSessionCache } from "../lib/sessions/session-cache";
import { createScratchDatabase } from "../lib/testing/scratch-database";

// pg reads timestamp(3) columns as local time; the raw floor compares them in UTC like Prisma.
process.env.TZ = "UTC";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    sessions: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "3" },
    live: { type: "string", default: "2000" },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const LIVE = Number(values.live);
const DAY = 86_400_000;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Calls `op` for SECONDS with `inFlight` concurrent callers; returns operations per second. */
async function throughput(op: (i: number) => unknown, inFlight = 1): Promise<number> {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      for (let i = worker; performance.now() < end; i += inFlight) {
        await op(i);
        done += 1;
      }
    }),
  );
  return done / SECONDS;
}

interface FloorRow {
  secretHash: string;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  revokedAt: number | null;
}

/** The least any resolve must do once the row is in hand: split the token, hash, compare, check times. */
function judgeFloor(token: string, row: FloorRow | undefined, now: number): boolean {
  const dot = token.indexOf(".");
  if (!row || dot < 0) return false;
  const presented = createHash("sha256").update(token.slice(dot + 1)).digest();
  const stored = Buffer.from(row.secretHash, "base64url");
  return stored.length === presented.length && timingSafeEqual(presented, stored) && row.revokedAt === null && row.idleExpiresAt > now && row.absoluteExpiresAt > now;
}
/** How many, and their p50, p99 and worst, in milliseconds. */
const spread = (values: number[]) =>
  `${fmt(values.length)}: p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, worst ${values.reduce((worst, value) => Math.max(worst, value), 0).toFixed(1)} ms`;
const idOf = (token: string) => token.slice(4, token.indexOf("."));

function expectAuthenticated(result: { authenticated: boolean }) {
  if (!result.authenticated) throw new Error("a live token was refused: the benchmark measures the wrong thing");
}

async function benchProvider(provider: BenchProvider): Promise<string[]> {
  const target = await createScratchDatabase(provider === "postgres" ? "postgresql" : "sqlite", "latchkey_bench_hot");
  const database = openDatabase(target.url);
  const hot = openHotStatements(target.url);
  const lines: string[] = [];
  try {
    await applyMigrations(target.url);
    let started = performance.now();
    const floorRows = Math.floor(SESSIONS / 10);
    await seedDemoData(target.url, {
      sessions: SESSIONS + floorRows,
      users: Math.max(1, Math.floor(SESSIONS / 10)),
      now: new Date(Date.now() - 60 * DAY),
      onProgress: (written) => written % 200_000 === 0 && console.info(`  seeded ${fmt(written)}`),
    });
    console.info(`  seeded ${fmt(SESSIONS + floorRows)} dead sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // The sweep's batch size as the server would choose it for this database.
    const { sweepBatchSize } = loadEnv({ NODE_ENV: "production", DATABASE_URL: target.url }).session;
    const config = resolveSessionConfig({ idleTimeoutSeconds: 24 * 3600, touchIntervalSeconds: 3600, sweepBatchSize });
    const prismaRepository = createPrismaSessionRepository(database);
    const before = createSessionEngine({ repository: prismaRepository, config, clock: systemClock }).app("default");
    const cache = createSessionCache({ maxEntries: 100_000, clock: systemClock });
    const cached = createSessionEngine({ repository: cachingRepository(prismaRepository, hot, cache), config, clock: systemClock }).app("default");
    const uncached = createSessionEngine({
      repository: cachingRepository(prismaRepository, hot, createSessionCache({ maxEntries: 0, clock: systemClock })),
      config,
      clock: systemClock,
    }).app("default");
    const tokens: string[] = [];
    for (let i = 0; i < LIVE; i++) tokens.push((await before.createSession({ userId: `bench-live-${i % 100}` })).token);
    const pick = (i: number) => tokens[i % tokens.length]!;
    const resolveWith = (engine: AppEngine) => async (i: number) => expectAuthenticated(await engine.resolveSession(pick(i)));

    // 1. In-process resolve.
    const floorMap = new Map<string, FloorRow>();
    for (const token of tokens) {
      const found = (await hot.findSessionWithUser(idOf(token)))!.session;
      floorMap.set(idOf(token), {
        secretHash: found.secretHash,
        idleExpiresAt: found.idleExpiresAt.getTime(),
        absoluteExpiresAt: found.absoluteExpiresAt.getTime(),
        revokedAt: found.revokedAt?.getTime() ?? null,
      });
    }
    const mapFloor = await throughput((i) => {
      if (!judgeFloor(pick(i), floorMap.get(idOf(pick(i))), Date.now())) throw new Error("floor refused a live token");
    });
    for (const token of tokens) await cached.resolveSession(token);
    // The application check on a cache hit (its policy looked up, its id compared) beside the same
    // resolve without it: every application's sessions, one fixed policy handed over with no lookup.
    const fixedApp = (await prismaRepository.findApplication(DEFAULT_APP_ID))!;
    const withoutAppCheck = createSessionEngine({
      repository: cachingRepository(prismaRepository, hot, cache),
      config,
      clock: systemClock,
      applications: { get: async () => fixedApp, forget: () => undefined },
    }).app(ALL_APPS);
    const rounds: { hit: number; unchecked: number }[] = [];
    for (let round = 0; round < 3; round++) {
      rounds.push({ hit: await throughput(resolveWith(cached)), unchecked: await throughput(resolveWith(withoutAppCheck)) });
    }
    const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
    const hit = median(rounds.map((round) => round.hit));
    const unchecked = median(rounds.map((round) => round.unchecked));

    const inFlight = provider === "postgres" ? 16 : 1;
    let rawDriver: number;
    const FLOOR_SQL = `SELECT "secretHash", "idleExpiresAt", "absoluteExpiresAt", "revokedAt" FROM "Session" WHERE "id" = `;
    if (provider === "sqlite") {
      const raw = new BetterSqlite3(parseDatabaseUrl(target.url).location, { readonly: true });
      const statement = raw.prepare(`${FLOOR_SQL}?`);
      rawDriver = await throughput((i) => {
        if (!judgeFloor(pick(i), statement.get(idOf(pick(i))) as FloorRow, Date.now())) throw new Error("raw floor refused a live token");
      });
      raw.close();
    } else {
      const pool = new pg.Pool({ connectionString: target.url, max: 16 });
      rawDriver = await throughput(async (i) => {
        const { rows } = await pool.query({ name: "floor", text: `${FLOOR_SQL}$1`, values: [idOf(pick(i))] });
        const row = rows[0] as { secretHash: string; idleExpiresAt: Date; absoluteExpiresAt: Date; revokedAt: Date | null };
        const times = { ...row, idleExpiresAt: row.idleExpiresAt.getTime(), absoluteExpiresAt: row.absoluteExpiresAt.getTime(), revokedAt: row.revokedAt?.getTime() ?? null };
        if (!judgeFloor(pick(i), times, Date.now())) throw new Error("raw floor refused a live token");
      }, inFlight);
      await pool.end();
    }
    const miss = await throughput(resolveWith(uncached), inFlight);
    const prismaPath = await throughput(resolveWith(before), inFlight);
    const concurrency = inFlight === 1 ? "sequential" : `${inFlight} in flight`;
    lines.push(
      `### ${provider === "sqlite" ? "SQLite" : "PostgreSQL"}: ${fmt(SESSIONS)} dead + ${fmt(LIVE)} live sessions`,
      "",
      "| resolve, in process | ops/s | ratio |",
      "| --- | ---: | ---: |",
      `| Map + SHA-256 floor, sequential | ${fmt(mapFloor)} | 100 % |`,
      `| Latchkey cache hit, sequential | ${fmt(hit)} | ${((hit / mapFloor) * 100).toFixed(0)} % of the Map floor |`,
      `| the same hit without the application check (median of 3 alternating rounds) | ${fmt(unchecked)} | the check keeps ${((hit / unchecked) * 100).toFixed(0)} % of it |`,
      `| raw ${provider === "sqlite" ? "better-sqlite3" : "pg"} lookup + SHA-256, ${concurrency} | ${fmt(rawDriver)} | 100 % |`,
      `| Latchkey cache miss (prepared statements), ${concurrency} | ${fmt(miss)} | ${((miss / rawDriver) * 100).toFixed(0)} % of the raw driver |`,
      `| Latchkey through Prisma (the path resolve no longer takes), ${concurrency} | ${fmt(prismaPath)} | ${((prismaPath / rawDriver) * 100).toFixed(0)} % of the raw driver |`,
      "",
    );

    // 3. The floor: the raw driver deletes a tenth as many dead sessions, batch by batch, nothing else.
    const batch = config.sweepBatchSize;
    const cutoff = Date.now();
    const DELETE_DEAD = (p: (n: number) => string) =>
      `DELETE FROM "Session" WHERE "id" IN (SELECT "id" FROM "Session" WHERE "revokedAt" <= ${p(1)} OR ("revokedAt" IS NULL AND "idleExpiresAt" <= ${p(2)}) OR ("revokedAt" IS NULL AND "absoluteExpiresAt" <= ${p(3)}) LIMIT ${p(4)})`;
    started = performance.now();
    if (provider === "sqlite") {
      const raw = new BetterSqlite3(parseDatabaseUrl(target.url).location, { timeout: 10_000 });
      const statement = raw.prepare(DELETE_DEAD(() => "?"));
      for (let left = floorRows; left > 0; left -= batch) statement.run(cutoff, cutoff, cutoff, Math.min(batch, left));
      raw.close();
    } else {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      const when = new Date(cutoff);
      for (let left = floorRows; left > 0; left -= batch) await client.query(DELETE_DEAD((n) => `$${n}`), [when, when, when, Math.min(batch, left)]);
      await client.end();
    }
    const floorSeconds = (performance.now() - started) / 1000;

    // Then the sweep of every dead session left, with a resolver beside it reading the database.
    // Each resolve is timed from the moment it is wanted, before yielding to the event loop: the
    // wait for a batch that holds the thread counts, as it would for a request arriving then.
    const latencies: number[] = [];
    let sweeping = true;
    const resolver = (async () => {
      for (let i = 0; sweeping; i++) {
        const start = performance.now();
        await new Promise((resolve) => setImmediate(resolve));
        expectAuthenticated(await uncached.resolveSession(pick(i)));
        latencies.push(performance.now() - start);
      }
    })();
    // And sign-ins, one after another through the hot path's writer: what a write waits for while
    // the sweep holds the database (on SQLite a rebuild holds its write lock throughout).
    const signInLatencies: number[] = [];
    const signer = (async () => {
      for (let i = 0; sweeping; i++) {
        const start = performance.now();
        await new Promise((resolve) => setImmediate(resolve));
        await cached.createSession({ userId: `bench-beside-${i % 100}` });
        signInLatencies.push(performance.now() - start);
      }
    })();
    const plan = await prismaRepository.planSweep(DEFAULT_APP_ID, new Date(), batch);
    const how =
      plan[0]?.by === "rebuild" ? "a rebuild of the table without them" : plan[0]?.by === "pages" ? `${plan.length} stretches of the table's pages at once, about ${fmt(batch)} a batch` : `${fmt(batch)} a batch through the indexes`;
    started = performance.now();
    const swept = await uncached.sweepSessions({ retentionSeconds: 0 });
    const sweepSeconds = (performance.now() - started) / 1000;
    sweeping = false;
    await resolver;
    await signer;
    lines.push(
      "| sweep | figure |",
      "| --- | ---: |",
      `| raw ${provider === "sqlite" ? "better-sqlite3" : "pg"} DELETE of ${fmt(floorRows)} dead sessions, ${fmt(batch)} a statement, no tombstones (the floor) | ${floorSeconds.toFixed(2)} s (${fmt(floorRows / floorSeconds)} sessions/s) |`,
      `| Latchkey sweep (${how}): sessions swept, a tombstone each | ${fmt(swept.total)} |`,
      `| wall time | ${sweepSeconds.toFixed(2)} s (${fmt(swept.total / sweepSeconds)} sessions/s, ${((swept.total / sweepSeconds / (floorRows / floorSeconds)) * 100).toFixed(0)} % of the floor's rate) |`,
      `| resolves while it ran, timed from when each was wanted (database path) | ${spread(latencies)} |`,
      `| sign-ins while it ran, one after another, timed the same way | ${spread(signInLatencies)} |`,
      "",
    );

    // 4. Log out everywhere for a user with 10,000 sessions.
    const many = "bench-many-devices";
    const manyTokens: string[] = [];
    for (let i = 0; i < 10_000; i++) manyTokens.push((await before.createSession({ userId: many })).token);
    await cached.resolveSession(manyTokens[0]!);
    started = performance.now();
    const revoked = await cached.revokeUserSessions(many);
    const logoutMs = performance.now() - started;
    const after = await cached.resolveSession(manyTokens[0]!);
    if (revoked !== 10_000 || after.authenticated) throw new Error(`log out everywhere revoked ${revoked}, and the cached token is ${after.authenticated ? "still accepted" : "refused"}`);
    lines.push("| log out everywhere | figure |", "| --- | ---: |", `| 10,000 sessions of one user revoked, one audit event each | ${logoutMs.toFixed(0)} ms |`);
    return lines;
  } finally {
    await hot.close();
    await database.close();
    await target.drop();
  }
}

runBench({
  only: values.only,
  setup: `${fmt(SESSIONS + Math.floor(SESSIONS / 10))} dead sessions (demo seed, ended two months ago) and ${fmt(LIVE)} live ones; ${SECONDS} s per throughput figure`,
  bench: benchProvider,
});
