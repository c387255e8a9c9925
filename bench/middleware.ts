// `npm run bench:middleware -- [--sessions 100000] [--seconds 10] [--connections 16]`
// What @latchkey/client's Express/Connect middleware adds to each request of an application:
// the same small Express app bare and behind the middleware, each under autocannon, the
// middleware resolving the request's session cookie against a local Latchkey (`npm start`'s
// server, SQLite with --sessions demo sessions, cache on). Prints the latency of one request at a
// time (p50 and p99 of --requests), and req/s, p50 and p99 under load, of both and the difference.
// Needs the app built (`npm run build`).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { runScript, startProcess, stopProcess, waitForHttp } from "./harness";
import { createApiKeyRepository } from "../lib/db/api-key-repository";
import { openDatabase } from "../lib/db/client";
import { seedDemoData } from "../lib/db/demo-seed";
import { applyMigrations } from "../lib/db/migrate";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { systemClock } from "../lib/sessions/clock";
import { resolveSessionConfig } from "../lib/sessions/config";
import { createSessionEngine } from "../lib/sessions/engine";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "100000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
    requests: { type: "string", default: "2000" },
  },
});
const work = mkdtempSync(path.join(tmpdir(), "latchkey-bench-middleware-"));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** p50 and p99 (ms) of `count` requests sent one at a time, after 100 to warm up. */
async function oneAtATime(url: string, headers: Record<string, string>, count: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count + 100; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (i >= 100) samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

async function main() {
  if (!existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) throw new Error("Build the app first: npm run build");
  const url = `file:${path.join(work, "latchkey.db")}`;
  await applyMigrations(url);
  await seedDemoData(url, { sessions: Number(values.sessions), users: Math.max(1, Math.floor(Number(values.sessions) / 10)) });
  const database = openDatabase(url);
  const { key } = await createApiKeyRepository(database).createApiKey(
    { appId: "default", name: "bench-middleware", scopes: ["sessions:read", "sessions:write"], createdBy: null, at: new Date() },
    { appId: "default", at: new Date(), type: "api_key.created", actor: { type: "system", label: "bench" } },
  );
  const engine = createSessionEngine({ repository: createPrismaSessionRepository(database), config: resolveSessionConfig({ idleTimeoutSeconds: 24 * 3600 }), clock: systemClock }).app("default");
  const { token } = await engine.createSession({ userId: "bench-middleware" });
  await database.close();

  const latchkey = startProcess(
    ["scripts/server.mjs"],
    { DATABASE_URL: url, LATCHKEY_DATA_DIR: work, NEXTAUTH_SECRET: "benchmark-secret-of-at-least-32-characters", NEXTAUTH_URL: "http://localhost:3320", LATCHKEY_ADMIN_PASSWORD: "correct horse battery staple" },
    3320,
  );
  await waitForHttp("http://localhost:3320/api/health");

  const rows: string[] = [];
  const results: Record<string, autocannon.Result> = {};
  const single: Record<string, { p50: number; p99: number }> = {};
  for (const [mode, port] of [["bare", 3321], ["middleware", 3322]] as const) {
    const app = startProcess(["--import", "tsx", "bench/servers/middleware-app.ts", mode, String(port), "http://localhost:3320", key], {}, port);
    await waitForHttp(`http://127.0.0.1:${port}/`);
    const check = (await (await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie: `latchkey_session=${token}` } })).json()) as { user: string | null };
    if (mode === "middleware" && check.user !== "bench-middleware") throw new Error("the middleware did not resolve the session");
    single[mode] = await oneAtATime(`http://127.0.0.1:${port}/`, { cookie: `latchkey_session=${token}` }, Number(values.requests));
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/`,
      headers: { cookie: `latchkey_session=${token}` },
      connections: Number(values.connections),
      duration: Number(values.seconds),
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${mode}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    results[mode] = result;
    console.info(`  ${mode}: ${fmt(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
    await stopProcess(app);
  }
  await stopProcess(latchkey);
  const bare = results.bare!;
  const behind = results.middleware!;
  rows.push(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}; the loader, the app and Latchkey (SQLite, ${fmt(Number(values.sessions))} sessions, cache on) on one machine.`,
    "",
    `| one request at a time (${fmt(Number(values.requests))}) | p50 | p99 |`,
    "| --- | ---: | ---: |",
    `| bare Express handler | ${single.bare!.p50.toFixed(2)} ms | ${single.bare!.p99.toFixed(2)} ms |`,
    `| the same behind latchkeyMiddleware | ${single.middleware!.p50.toFixed(2)} ms | ${single.middleware!.p99.toFixed(2)} ms |`,
    "",
    `Added per request: ${(single.middleware!.p50 - single.bare!.p50).toFixed(2)} ms at p50, ${(single.middleware!.p99 - single.bare!.p99).toFixed(2)} ms at p99 (one resolve call to Latchkey).`,
    "",
    `Under load (autocannon -c ${values.connections} -d ${values.seconds}):`,
    "",
    "| application handler | req/s | p50 | p99 |",
    "| --- | ---: | ---: | ---: |",
    `| bare Express handler | ${fmt(bare.requests.average)} | ${bare.latency.p50} ms | ${bare.latency.p99} ms |`,
    `| the same behind latchkeyMiddleware (resolve per request) | ${fmt(behind.requests.average)} | ${behind.latency.p50} ms | ${behind.latency.p99} ms |`,
  );
  console.info(`\n${rows.join("\n")}`);
}

runScript(main, () => rmSync(work, { recursive: true, force: true }));
