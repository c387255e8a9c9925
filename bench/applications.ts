// `npm run bench:applications -- [--only sqlite|postgres] [--sessions 1000000] [--runs 5] [--batch N]`
// On a fresh database per provider with 1,000,000 demo sessions of one application (60 % live),
// in one process:
//   1. the policy preview (what a change of absolute cap, idle timeout or session limit would
//      end), p50 and worst of --runs, beside a primary-key lookup of the same run;
//   2. revoke by filter of about 100,000 live sessions among them (created before a time found by
//      bisection): the count previewed against the count revoked, the sessions outside the filter
//      untouched, the progress reported, and the resolves of a resolver running beside it.
import { parseArgs } from "node:util";
import { runBench, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { seedDemoData } from "../lib/db/demo-seed";
import { applyMigrations } from "../lib/db/migrate";
import { openHotStatements } from "../lib/db/hot-statements";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { systemClock } from "../lib/sessions/clock";
import { POSTGRES_BATCH_SIZE, SQLITE_BATCH_SIZE, resolveSessionConfig } from "../lib/sessions/config";
import { createSessionEngine } from "../lib/sessions/engine";
import { CONSOLE_APP_ID, DEFAULT_APP_ID } from "../lib/sessions/policy";
import { cachingRepository, createSessionCache } from "../lib/sessions/session-cache";
import type { PolicyChangeInput } from "../lib/sessions/schemas";
import { createScratchDatabase } from "../lib/testing/scratch-database";

const { values } = parseArgs({
  options: { only: { type: "string" }, sessions: { type: "string", default: "1000000" }, runs: { type: "string", default: "5" }, batch: { type: "string" } },
});
const SESSIONS = Number(values.sessions);
const RUNS = Number(values.runs);
/** Sessions per transaction of the revocation; by default what the server uses on each database. */
const BATCH = values.batch ? Number(values.batch) : undefined;
const TARGET = Math.round(SESSIONS / 10);
const DAY = 86_400_000;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** p50 and worst of `runs` timings, after one warm-up. */
async function sample(runs: number, work: () => Promise<unknown>): Promise<{ p50: number; worst: number }> {
  await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await timed(work)).ms);
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)]!, worst: samples.at(-1)! };
}

async function benchProvider(provider: BenchProvider): Promise<string[]> {
  const target = await createScratchDatabase(provider === "postgres" ? "postgresql" : "sqlite", "latchkey_bench_apps");
  const database = openDatabase(target.url);
  const hot = openHotStatements(target.url);
  const lines: string[] = [];
  try {
    await applyMigrations(target.url);
    const seeded = await timed(() =>
      seedDemoData(target.url, { sessions: SESSIONS, onProgress: (written) => written % 200_000 === 0 && console.info(`  seeded ${fmt(written)}`) }),
    );
    console.info(`  seeded ${fmt(SESSIONS)} sessions in ${(seeded.ms / 1000).toFixed(1)} s`);
    if (provider === "postgres") await database.prisma.$executeRawUnsafe(`VACUUM ANALYZE "Session"`);
    // As the server reads sessions, with its in-process cache off: every resolve reads the database.
    const repository = cachingRepository(createPrismaSessionRepository(database), hot, createSessionCache({ maxEntries: 0, clock: systemClock }));
    // One instant for the whole run: sessions expiring while it runs would make the count
    // previewed and the count revoked differ by what time did, not by what the revocation did.
    const now = new Date();
    const root = createSessionEngine({ repository, config: resolveSessionConfig({ idleTimeoutSeconds: 1800, sweepBatchSize: BATCH ?? (provider === "postgres" ? POSTGRES_BATCH_SIZE : SQLITE_BATCH_SIZE) }), clock: { now: () => now } });
    const engine = root.app(DEFAULT_APP_ID);
    const live = (await engine.getStatistics()).active;

    // 1. The preview, beside a primary-key lookup.
    const someId = (await engine.listSessions({ limit: 1 })).items[0]!.id;
    const lookup = await sample(RUNS * 4, () => engine.getSession(someId));
    const changes: [string, PolicyChangeInput][] = [
      ["absolute cap 30 d → 7 d", { absoluteTimeoutSeconds: 7 * 86_400 }],
      ["idle timeout 30 m → 10 m", { idleTimeoutSeconds: 600 }],
      ["a limit of 3 live sessions per user", { sessionLimit: 3 }],
      ["all three at once", { absoluteTimeoutSeconds: 7 * 86_400, idleTimeoutSeconds: 600, sessionLimit: 3 }],
    ];
    lines.push(
      `### ${provider === "sqlite" ? "SQLite" : "PostgreSQL"}: ${fmt(SESSIONS)} sessions, ${fmt(live)} live`,
      "",
      "| policy preview | p50 | worst | what it would end |",
      "| --- | ---: | ---: | --- |",
      `| primary-key lookup of one session (the floor of any query here) | ${lookup.p50.toFixed(1)} ms | ${lookup.worst.toFixed(1)} ms | |`,
    );
    for (const [name, change] of changes) {
      const { impact } = await root.previewPolicy(DEFAULT_APP_ID, change);
      const timing = await sample(RUNS, () => root.previewPolicy(DEFAULT_APP_ID, change));
      const limit = impact.usersOverLimit > 0 ? `; ${fmt(impact.usersOverLimit)} users over the limit, ${fmt(impact.endedByLimit)} sessions` : "";
      lines.push(`| ${name} | ${timing.p50.toFixed(0)} ms | ${timing.worst.toFixed(0)} ms | ${fmt(impact.ended)} sessions now${limit} |`);
    }
    lines.push("");

    // 1b. Disabling a person ends what they handed out: the service sessions acting for an
    // application's user, and those a console account started in any application, found among
    // all of them (the live-sessions index, then the audit events of the service sessions).
    const consoleAccount = "bench-console-admin";
    await database.prisma.user.create({
      data: { appId: CONSOLE_APP_ID, id: consoleAccount, email: "bench-admin@example.com", consoleRole: "ADMIN", passwordHash: "x", createdAt: now, updatedAt: now },
    });
    const delegator = (await engine.listSessions({ limit: 1, kind: "user", status: ["active"] })).items[0]!.userId;
    for (let i = 0; i < 100; i++) {
      await engine.createServiceSession({ client: `bench-bot-${i}`, scopes: ["reports"], ttlSeconds: 3600, delegatedBy: i % 2 === 0 ? delegator : null }, { type: "user", id: consoleAccount, label: "bench-admin@example.com" });
    }
    const byUser = await timed(() => engine.disableUser(delegator, "benchmark"));
    const byAccount = await timed(() => root.app(CONSOLE_APP_ID).disableUser(consoleAccount, "benchmark"));
    lines.push(
      "| disabling a person, 100 live service sessions among all | time | sessions ended |",
      "| --- | ---: | ---: |",
      `| an application's user (their sessions and the 50 service sessions acting for them) | ${byUser.ms.toFixed(0)} ms | ${fmt(byUser.value)} |`,
      `| a console account (the 50 more service sessions it started, in any application) | ${byAccount.ms.toFixed(0)} ms | ${fmt(byAccount.value)} |`,
      "",
    );

    // 2. Revoke by filter: find a "created before" that matches about TARGET live sessions.
    // (The demo sessions were created over the last 30 days.)
    let low = now.getTime() - 31 * DAY;
    let high = now.getTime();
    let matched = 0;
    for (let step = 0; step < 20; step++) {
      const middle = Math.round((low + high) / 2);
      matched = (await engine.revokeMatchingSessions({ filter: { createdTo: new Date(middle) }, dryRun: true })).matched;
      if (Math.abs(matched - TARGET) < TARGET / 100) {
        low = high = middle;
        break;
      }
      if (matched < TARGET) low = middle;
      else high = middle;
    }
    const cutoff = new Date(Math.round((low + high) / 2));
    const filter = { createdTo: cutoff };
    // Live tokens outside the filter, for a resolver running beside the revocation.
    const tokens: string[] = [];
    for (let i = 0; i < 500; i++) tokens.push((await engine.createSession({ userId: `bench-beside-${i}` })).token);
    const preview = await timed(() => engine.revokeMatchingSessions({ filter, dryRun: true }));
    const outside = await database.prisma.session.count({ where: { appId: DEFAULT_APP_ID, createdAt: { gt: cutoff }, revokedAt: null } });
    let resolving = true;
    const latencies: number[] = [];
    // Each resolve is timed from the moment it is wanted, before yielding to the event loop:
    // the wait for work that holds the thread (a batch of the revocation) counts, as it would for
    // a request arriving then.
    const resolver = (async () => {
      for (let i = 0; resolving; i++) {
        const { ms, value } = await timed(async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return engine.resolveSession(tokens[i % tokens.length]!);
        });
        if (!value.authenticated) throw new Error("a session outside the filter was refused");
        latencies.push(ms);
      }
    })();
    const progress: number[] = [];
    const revoked = await timed(() =>
      engine.revokeMatchingSessions({ filter, reason: "REVOKED", note: "benchmark: leaked period" }, { type: "system", label: "bench" }, {
        onBatch: ({ revoked: sofar }) => progress.push(sofar),
      }),
    );
    resolving = false;
    await resolver;
    const outsideAfter = await database.prisma.session.count({ where: { appId: DEFAULT_APP_ID, createdAt: { gt: cutoff }, revokedAt: null } });
    if (revoked.value.revoked !== preview.value.matched) throw new Error(`previewed ${preview.value.matched}, revoked ${revoked.value.revoked}`);
    if (outsideAfter !== outside) throw new Error(`sessions outside the filter changed: ${outside} before, ${outsideAfter} after`);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
    lines.push(
      "| revoke by filter (created before a time) | figure |",
      "| --- | ---: |",
      `| live sessions matching, previewed | ${fmt(preview.value.matched)} (counted in ${preview.ms.toFixed(0)} ms) |`,
      `| revoked | ${fmt(revoked.value.revoked)} in ${(revoked.ms / 1000).toFixed(1)} s (${fmt(revoked.value.revoked / (revoked.ms / 1000))} sessions/s, one audit event each) |`,
      `| progress reports | ${fmt(progress.length)}, the last at ${fmt(progress.at(-1) ?? 0)} |`,
      `| unrevoked sessions outside the filter | ${fmt(outside)} before, ${fmt(outsideAfter)} after (untouched) |`,
      `| resolves beside it (through the database) | ${fmt(latencies.length)}: p50 ${(latencies[Math.floor(latencies.length / 2)] ?? 0).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, worst ${(latencies.at(-1) ?? 0).toFixed(1)} ms |`,
      "",
    );
    return lines;
  } finally {
    await hot.close();
    await database.close();
    await target.drop();
  }
}

runBench({
  only: values.only,
  setup: `${fmt(SESSIONS)} demo sessions of one application; ${RUNS} timed runs per preview${BATCH ? `; batches of ${fmt(BATCH)}` : ""}`,
  bench: benchProvider,
});
