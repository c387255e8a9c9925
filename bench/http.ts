// `npm run bench:http -- [--sessions 1000000] [--seconds 10] [--connections 32] [--skip-next]`
// HTTP resolve under autocannon, one server at a time on this machine, in one invocation:
//   - a bare node:http floor: one prepared better-sqlite3 lookup on Latchkey's table;
//   - Latchkey (`npm start`'s server, hot path, SQLite with 1,000,000 sessions), and its RSS idle
//     and under the load;
//   - Better Auth's get-session on its own SQLite file with 1,000,000 sessions, in bare node and in
//     a Next.js route handler, cookie cache off and on.
// Needs the app built (`npm run build`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { runScript, startProcess as start, stopProcess as stop, waitForHttp as ready } from "./harness";
import BetterSqlite3 from "better-sqlite3";
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
    sessions: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    "skip-next": { type: "boolean", default: false },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const root = process.cwd(); // npm run starts it in the checkout
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const work = mkdtempSync(path.join(tmpdir(), "latchkey-bench-http-"));
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

interface LoadResult {
  name: string;
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  peakRssMb?: number;
}

async function load(name: string, options: { url: string; method?: "GET" | "POST"; headers: Record<string, string>; body?: string }, pid?: number): Promise<LoadResult> {
  let peak = 0;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100) : null;
  const result = await autocannon({ url: options.url, method: options.method ?? "GET", headers: options.headers, body: options.body, connections: CONNECTIONS, duration: SECONDS });
  if (sampler) clearInterval(sampler);
  const line = { name, rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, ...(pid ? { peakRssMb: peak } : {}) };
  console.info(`  ${name}: ${fmt(line.rps)} req/s, p99 ${line.p99} ms, non-2xx ${line.non2xx}, errors ${line.errors}`);
  return line;
}

/** Latchkey's database: the demo seed's million sessions, one API key and one live session. */
async function latchkeyDatabase() {
  const url = `file:${path.join(work, "latchkey.db")}`;
  await applyMigrations(url);
  const started = performance.now();
  await seedDemoData(url, { sessions: SESSIONS, users: Math.max(1, Math.floor(SESSIONS / 10)) });
  console.info(`  Latchkey: seeded ${fmt(SESSIONS)} sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const database = openDatabase(url);
  const { key } = await createApiKeyRepository(database).createApiKey(
    { appId: "default", name: "bench", scopes: ["sessions:read", "sessions:write"], createdBy: null, at: new Date() },
    { appId: "default", at: new Date(), type: "api_key.created", actor: { type: "system", label: "bench" } },
  );
  const engine = createSessionEngine({
    repository: createPrismaSessionRepository(database),
    config: resolveSessionConfig({ idleTimeoutSeconds: 24 * 3600 }),
    clock: systemClock,
  }).app("default");
  const { token } = await engine.createSession({ userId: "bench-http" });
  await database.close();
  return { url, key, token };
}

/** Better Auth's database: its own migrations, a million sessions of 100,000 users. */
async function betterAuthDatabase() {
  const file = path.join(work, "better-auth.db");
  process.env.BETTER_AUTH_DATABASE = file;
  const { auth } = (await import("./servers/better-auth-instance.mjs")) as { auth: { options: unknown } };
  const { getMigrations } = (await import("better-auth/db/migration")) as unknown as {
    getMigrations(options: unknown): Promise<{ runMigrations(): Promise<void> }>;
  };
  await (await getMigrations(auth.options)).runMigrations();
  const db = new BetterSqlite3(file);
  const started = performance.now();
  const users = Math.max(1, Math.floor(SESSIONS / 10));
  const now = new Date().toISOString();
  const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${users})
    INSERT INTO "user" ("id", "name", "email", "emailVerified", "createdAt", "updatedAt")
    SELECT 'user-' || i, 'User ' || i, 'user' || i || '@bench.test', 0, '${now}', '${now}' FROM n`);
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SESSIONS})
    INSERT INTO "session" ("id", "expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId")
    SELECT 'session-' || i, '${later}', lower(hex(randomblob(16))), '${now}', '${now}', '203.0.113.7', 'bench', 'user-' || (1 + i % ${users}) FROM n`);
  db.close();
  console.info(`  Better Auth: seeded ${fmt(SESSIONS)} sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return file;
}

/** Signs a person up through Better Auth's own API and returns the cookies get-session needs. */
async function betterAuthCookies(base: string, cookieCache: boolean, signUp: boolean, tokenCookie: string | null): Promise<{ cookie: string; token: string }> {
  let token = tokenCookie;
  if (signUp || !token) {
    const response = await fetch(`${base}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email: "bench@bench.test", password: "bench-password-123", name: "Bench" }),
    });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="));
    if (!setCookie) throw new Error(`Better Auth sign-up gave no session cookie (${response.status}: ${await response.text()})`);
    token = setCookie.split(";")[0]!;
  }
  let cookie = token;
  if (cookieCache) {
    const response = await fetch(`${base}/api/auth/get-session`, { headers: { cookie } });
    const data = response.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_data="));
    if (!data) throw new Error("Better Auth's cookie cache set no session_data cookie");
    cookie = `${token}; ${data.split(";")[0]}`;
  }
  const check = (await (await fetch(`${base}/api/auth/get-session`, { headers: { cookie } })).json()) as { session?: { userId: string } } | null;
  if (!check?.session) throw new Error("Better Auth's get-session did not recognise the cookie");
  return { cookie, token };
}

async function main() {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) throw new Error("Build the app first: npm run build");
  const results: LoadResult[] = [];
  const latchkey = await latchkeyDatabase();
  const betterAuthFile = await betterAuthDatabase();
  const body = JSON.stringify({ token: latchkey.token });
  const resolveRequest = (port: number) => ({
    url: `http://localhost:${port}/api/v1/sessions/resolve`,
    method: "POST" as const,
    headers: { authorization: `Bearer ${latchkey.key}`, "content-type": "application/json" },
    body,
  });

  // The floor.
  const floor = start(["bench/servers/floor.mjs", latchkey.url.slice(5), "3301"], {}, 3301);
  await ready("http://localhost:3301/", { method: "POST", body });
  results.push(await load("bare node:http + raw better-sqlite3 lookup (floor)", { ...resolveRequest(3301), headers: { "content-type": "application/json" } }));
  await stop(floor);

  // Latchkey as `npm start` runs it.
  const server = start(
    ["scripts/server.mjs"],
    {
      DATABASE_URL: latchkey.url,
      LATCHKEY_DATA_DIR: work,
      NEXTAUTH_SECRET: "benchmark-secret-of-at-least-32-characters",
      NEXTAUTH_URL: "http://localhost:3300",
      LATCHKEY_ADMIN_PASSWORD: "correct horse battery staple",
    },
    3300,
  );
  await ready("http://localhost:3300/api/health");
  const check = await fetch(resolveRequest(3300).url, { method: "POST", headers: resolveRequest(3300).headers, body });
  if (!((await check.json()) as { authenticated: boolean }).authenticated || !check.headers.get("server-timing")?.startsWith("hot;")) {
    throw new Error("Latchkey did not resolve the token on its hot path");
  }
  const idleRss = rssMb(server.pid!);
  results.push(await load("Latchkey POST /api/v1/sessions/resolve (hot path, cache on)", resolveRequest(3300), server.pid));
  await stop(server);

  // Better Auth, bare node and Next.js, cookie cache off and on.
  let tokenCookie: string | null = null;
  const betterAuthTargets: { name: string; port: number; cache: boolean; command: string[] }[] = [
    { name: "Better Auth get-session, bare node, cookie cache off", port: 3302, cache: false, command: ["bench/servers/better-auth.mjs", betterAuthFile, "3302"] },
    { name: "Better Auth get-session, bare node, cookie cache on", port: 3303, cache: true, command: ["bench/servers/better-auth.mjs", betterAuthFile, "3303"] },
  ];
  if (!values["skip-next"]) {
    const next = path.join(root, "node_modules", "next", "dist", "bin", "next");
    const app = path.join(root, "bench", "better-auth-next");
    console.info("  building the Better Auth Next.js app…");
    const build = spawnSync(process.execPath, [next, "build", app], { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`next build of the Better Auth app failed:\n${build.stdout}\n${build.stderr}`);
    betterAuthTargets.push(
      { name: "Better Auth get-session, Next.js route handler, cookie cache off", port: 3304, cache: false, command: [next, "start", app, "--port", "3304"] },
      { name: "Better Auth get-session, Next.js route handler, cookie cache on", port: 3305, cache: true, command: [next, "start", app, "--port", "3305"] },
    );
  }
  for (const target of betterAuthTargets) {
    const base = `http://localhost:${target.port}`;
    const child = start(target.command, { BETTER_AUTH_DATABASE: betterAuthFile, BETTER_AUTH_COOKIE_CACHE: target.cache ? "1" : "0", BETTER_AUTH_URL: base, NODE_ENV: "production" }, target.port);
    await ready(`${base}/api/auth/ok`);
    const { cookie, token } = await betterAuthCookies(base, target.cache, tokenCookie === null, tokenCookie);
    tokenCookie = token;
    results.push(await load(target.name, { url: `${base}/api/auth/get-session`, headers: { cookie } }));
    await stop(child);
  }

  const [floorResult, latchkeyResult, ...betterAuth] = results as [LoadResult, LoadResult, ...LoadResult[]];
  const best = betterAuth.reduce((a, b) => (a.rps >= b.rps ? a : b));
  const lines = [
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}; autocannon -c ${CONNECTIONS} -d ${SECONDS}, one server at a time, the loader on the same machine; ${fmt(SESSIONS)} sessions in each database.`,
    "",
    "| HTTP resolve | req/s | p99 | non-2xx |",
    "| --- | ---: | ---: | ---: |",
    ...results.map((r) => `| ${r.name} | ${fmt(r.rps)} | ${r.p99} ms | ${r.non2xx + r.errors} |`),
    "",
    `Latchkey: ${((latchkeyResult.rps / floorResult.rps) * 100).toFixed(0)} % of the bare-node floor; ${(latchkeyResult.rps / best.rps).toFixed(1)}× Better Auth's best (${best.name}); p99 ${latchkeyResult.p99} ms.`,
    `Latchkey server RSS: ${idleRss.toFixed(0)} MB idle, ${latchkeyResult.peakRssMb!.toFixed(0)} MB at most under the load.`,
  ];
  console.info(`\n${lines.join("\n")}`);
}

runScript(main, () => rmSync(work, { recursive: true, force: true }));
