// `npm run bench:webhooks -- [--only sqlite|postgres] [--revocations 1000]`
// Webhook delivery against a receiver on this machine, in one process per database:
//   1. resolves (2,000 live sessions, cache on) timed for 8 s from the start of --revocations
//      revocations, one by one, with the dispatcher stopped: the baseline;
//   2. the same with the dispatcher running and delivering those revocations to the receiver
//      (one endpoint taking session.revoked; the receiver is a process of its own): the resolves'
//      p50/p99 beside the baseline's, and the time from the first revocation until the receiver has
//      acknowledged every one of them.
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { runBench, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { openHotStatements } from "../lib/db/hot-statements";
import { applyMigrations } from "../lib/db/migrate";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { sealer } from "../lib/sessions/access-tokens";
import { systemClock } from "../lib/sessions/clock";
import { resolveSessionConfig } from "../lib/sessions/config";
import { createSessionEngine, type AppEngine } from "../lib/sessions/engine";
import { cachingRepository, createSessionCache } from "../lib/sessions/session-cache";
import { createScratchDatabase } from "../lib/testing/scratch-database";
import { createDispatcher } from "../lib/webhooks/dispatcher";
import { createEndpointManager } from "../lib/webhooks/endpoints";
import { parseAllowList, systemResolver, type OutboundPolicy } from "../lib/webhooks/outbound";
import { createWebhookStore } from "../lib/webhooks/store";

const { values } = parseArgs({ options: { only: { type: "string" }, revocations: { type: "string", default: "1000" } } });
const REVOCATIONS = Number(values.revocations);
/** How long each phase's resolves are timed (or until its deliveries are done, if later). */
const WINDOW_MS = 8_000;
const LIVE = 2_000;
const ADMIN = { type: "user" as const, id: "bench", label: "bench@example.com" };
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** Resolves live tokens one after another until `until` settles; each timed from when it is wanted. */
async function resolvesBeside(engine: AppEngine, tokens: string[], until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const samples: number[] = [];
  for (let i = 0; !done; i++) {
    const started = performance.now();
    const result = await engine.resolveSession(tokens[i % tokens.length]!);
    samples.push(performance.now() - started);
    if (!result.authenticated) throw new Error("a live session did not resolve");
    await new Promise((resolve) => setImmediate(resolve));
  }
  return samples;
}

async function bench(provider: BenchProvider): Promise<string[]> {
  const scratch = await createScratchDatabase(provider === "sqlite" ? "sqlite" : "postgresql", "latchkey_bench_webhooks");
  await applyMigrations(scratch.url);
  const database = openDatabase(scratch.url);
  const hot = openHotStatements(scratch.url);
  const cache = createSessionCache({ maxEntries: 100_000, clock: systemClock, shared: null });
  const root = createSessionEngine({ repository: cachingRepository(createPrismaSessionRepository(database), hot, cache), config: resolveSessionConfig({ idleTimeoutSeconds: 86_400 }), clock: systemClock });
  const application = await root.createApplication({ name: "bench-webhooks" }, ADMIN);
  const engine = root.app(application.id);

  // The receiver is a process of its own, as an application's would be; it reports each
  // acknowledged revocation on its stdout.
  let acknowledged = 0;
  const receiver = spawn(
    process.execPath,
    [
      "-e",
      `const server = require("node:http").createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => { if (body.includes('"session.revoked"')) process.stdout.write("+"); response.statusCode = 204; response.end(); });
      });
      server.listen(0, "127.0.0.1", () => process.stdout.write("port " + server.address().port + "\\n"));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve) => {
    receiver.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      const match = /port (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
      acknowledged += (text.replace(/port \d+\n?/, "").match(/\+/g) ?? []).length;
    });
  });
  const outbound: OutboundPolicy = { allow: parseAllowList("127.0.0.1/32"), resolver: systemResolver, timeoutMs: 10_000, maxResponseBytes: 65_536 };
  const { seal, open } = sealer("a benchmark secret of at least thirty-two characters", "latchkey webhook secrets");
  const store = createWebhookStore(database);
  const manager = createEndpointManager({ store, clock: systemClock, seal, outbound });
  await manager.create(application.id, { url: `http://127.0.0.1:${port}/hooks`, eventTypes: ["session.revoked"] }, ADMIN);
  const dispatcher = createDispatcher({
    store,
    leases: { acquire: (name, holder, ttl) => root.acquireLease(name, holder, ttl), release: (name, holder) => root.releaseLease(name, holder) },
    clock: systemClock,
    openSecret: open,
    outbound,
    holder: "bench",
  });

  const live: string[] = [];
  for (let i = 0; i < LIVE; i++) live.push((await engine.createSession({ userId: `live-${i % 200}` })).token);
  for (const token of live) await engine.resolveSession(token);
  const doomed = async () => {
    const ids: string[] = [];
    for (let i = 0; i < REVOCATIONS; i++) ids.push((await engine.createSession({ userId: `doomed-${i % 100}` })).session.id);
    return ids;
  };

  // Each phase is timed over the same window: the revocations, then whatever follows them.
  const window = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const revokeAll = async (ids: string[]) => {
    for (const id of ids) {
      await engine.revokeSession(id);
      await new Promise((resolve) => setImmediate(resolve)); // each revocation its own request, as on a server
    }
  };

  // 1. Baseline: the revocations with no dispatcher.
  const first = await doomed();
  const baselineRun = Promise.all([revokeAll(first), window(WINDOW_MS)]);
  const baseline = await resolvesBeside(engine, live, baselineRun);

  // 2. The same with the dispatcher running and delivering them.
  await dispatcher.tick(); // the reader starts after everything so far
  const second = await doomed();
  const stop = dispatcher.start(250);
  const started = performance.now();
  let revokedIn = 0;
  let deliveredIn = 0;
  const deliveredRun = Promise.all([
    (async () => {
      await revokeAll(second);
      revokedIn = performance.now() - started;
      while (acknowledged < REVOCATIONS) await new Promise((resolve) => setTimeout(resolve, 5));
      deliveredIn = performance.now() - started;
    })(),
    window(WINDOW_MS),
  ]);
  const beside = await resolvesBeside(engine, live, deliveredRun);
  await stop();
  receiver.kill();
  await database.close();
  await hot.close();
  await scratch.drop();

  const p = (samples: number[], q: number) => percentile(samples, q).toFixed(3);
  const ratio = percentile(beside, 0.99) / Math.max(percentile(baseline, 0.99), 0.001);
  return [
    `### ${provider === "sqlite" ? "SQLite" : "PostgreSQL"}`,
    "",
    `| ${fmt(REVOCATIONS)} revocations, one call each | resolves beside | p50 | p99 | p99.9 | worst |`,
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    `| dispatcher stopped (baseline) | ${fmt(baseline.length)} | ${p(baseline, 0.5)} ms | ${p(baseline, 0.99)} ms | ${p(baseline, 0.999)} ms | ${p(baseline, 1)} ms |`,
    `| dispatcher delivering them | ${fmt(beside.length)} | ${p(beside, 0.5)} ms | ${p(beside, 0.99)} ms | ${p(beside, 0.999)} ms | ${p(beside, 1)} ms |`,
    "",
    `Resolve p99 with the dispatcher delivering: ${(ratio * 100).toFixed(0)} % of the baseline's (target ≤ 110 %).`,
    `All ${fmt(REVOCATIONS)} revocations made in ${(revokedIn / 1000).toFixed(2)} s and acknowledged by the receiver ${(deliveredIn / 1000).toFixed(2)} s after the first (target < 10 s): ${fmt(REVOCATIONS / (deliveredIn / 1000))} deliveries/s.`,
  ];
}

runBench({ only: values.only, setup: `${fmt(LIVE)} live sessions resolved (cache on) while ${fmt(REVOCATIONS)} are revoked and their webhooks delivered to a receiver on this machine`, bench });
