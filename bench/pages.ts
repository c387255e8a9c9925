// `npm run bench:pages -- [--sessions 1000000] [--only sqlite|postgres] [--runs 20] [--database-url URL]`
// Every console page over HTTP at scale, as an operator meets it: the built server (`npm start`'s)
// on a database seeded with demo sessions, a signed-in ADMIN's cookie, each page fetched in full
// (2 warm-ups, then `--runs` one after another), p50 and p95. Beside it, in the same run, a
// primary-key lookup of a session through Prisma from this process: the floor of a page that reads
// anything. `--database-url` reuses a database seeded before (`npm run seed:demo`).
// Needs `npm run build` first.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runBench, startProcess, stopProcess, timeRuns, waitForHttp, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { seedDemoData } from "../lib/db/demo-seed";
import { applyMigrations } from "../lib/db/migrate";
import { createScratchDatabase } from "../lib/testing/scratch-database";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "1000000" },
    only: { type: "string" },
    runs: { type: "string", default: "20" },
    "database-url": { type: "string" },
  },
});
const SESSIONS = Number(values.sessions);
const RUNS = Number(values.runs);
const PORT = 3390;
const BASE = `http://localhost:${PORT}`;
const ADMIN = { email: "bench-admin@example.test", password: "correct horse battery staple" };

const time = (work: () => Promise<unknown>) => timeRuns(work, RUNS);

/** The cookies a response sets, as one Cookie header with `jar`'s. */
function remember(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair!.indexOf("=");
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

/** Signs in through next-auth's credentials flow, as the login form does; returns the cookie header. */
async function signIn(): Promise<string> {
  const jar = new Map<string, string>();
  const csrf = await fetch(`${BASE}/api/auth/csrf`);
  remember(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), origin: BASE },
    body: new URLSearchParams({ csrfToken, email: ADMIN.email, password: ADMIN.password, callbackUrl: `${BASE}/overview` }),
  });
  remember(jar, response);
  if (![...jar.keys()].some((name) => name.endsWith("next-auth.session-token"))) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return cookieHeader(jar);
}

async function benchProvider(provider: BenchProvider): Promise<string[]> {
  const reused = values["database-url"];
  const target = reused ? { url: reused, drop: async () => undefined } : await createScratchDatabase(provider === "postgres" ? "postgresql" : "sqlite", "latchkey_bench_pages");
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-bench-pages-"));
  const lines: string[] = [];
  try {
    await applyMigrations(target.url);
    let seeded = "";
    if (!reused) {
      const started = Date.now();
      await seedDemoData(target.url, { sessions: SESSIONS, now: new Date() });
      seeded = ` (seeded in ${((Date.now() - started) / 1000).toFixed(0)} s)`;
    }
    const database = openDatabase(target.url);
    const prisma = database.prisma;
    const total = await prisma.session.count();
    const session = (await prisma.session.findFirst({ where: { appId: "default", kind: "user" }, orderBy: { createdAt: "desc" } }))!;
    const user = await prisma.user.findFirst({ where: { appId: "default", id: session.userId } });
    console.info(`${provider}: ${total.toLocaleString("en")} sessions${seeded}; starting the server`);

    const server = startProcess(
      ["scripts/server.mjs"],
      {
        DATABASE_URL: target.url,
        LATCHKEY_DATA_DIR: dataDir,
        NEXTAUTH_SECRET: "benchmark-secret-of-at-least-32-characters",
        NEXTAUTH_URL: BASE,
        LATCHKEY_ADMIN_EMAIL: ADMIN.email,
        LATCHKEY_ADMIN_PASSWORD: ADMIN.password,
      },
      PORT,
    );
    try {
      await waitForHttp(`${BASE}/login`);
      const cookie = await signIn();
      const pages: [string, string][] = [
        ["overview (all applications)", "/overview"],
        ["overview (application default)", "/overview?app=default"],
        ["sessions, newest first", "/sessions"],
        ["sessions, active", "/sessions?status=active"],
        ["sessions, device text Firefox", "/sessions?device=Firefox"],
        ["sessions, user", `/sessions?user=${encodeURIComponent(session.userId)}`],
        ["session detail", `/sessions/${session.id}`],
        ["users, no query", "/users"],
        ["users, part of an id", `/users?q=${encodeURIComponent(session.userId.slice(0, 6))}`],
        ["user detail", `/users/default/${encodeURIComponent(session.userId)}`],
        ["audit", "/audit"],
        ["debugger, user", `/debug?user=${encodeURIComponent(user?.email ?? session.userId)}`],
        ["debugger, session", `/debug?sessionId=${session.id}`],
        ["sweep", "/sweep"],
        ["applications", "/applications"],
        ["application default", "/applications/default"],
        ["application default, webhooks", "/applications/default/webhooks"],
        ["API keys", "/api-keys"],
        ["accounts", "/accounts"],
        ["devices (the admin's own)", "/devices"],
        ["profile", "/profile"],
        ["API docs", "/api-docs"],
      ];
      const keyLookup = await time(() => prisma.session.findUnique({ where: { id: session.id } }));
      lines.push(
        `### ${provider}: ${total.toLocaleString("en")} sessions, p50/p95 ms over ${RUNS} runs (full page over HTTP, signed in as ADMIN)`,
        "",
        "| page | first load ms | p50 ms | p95 ms | p95 / primary-key p95 |",
        "| --- | ---: | ---: | ---: | ---: |",
        `| primary-key lookup through Prisma (baseline) | | ${keyLookup.p50.toFixed(2)} | ${keyLookup.p95.toFixed(2)} | 1.0 |`,
      );
      for (const [name, url] of pages) {
        const first = performance.now();
        const check = await fetch(`${BASE}${url}`, { headers: { cookie }, redirect: "manual" });
        if (check.status !== 200) throw new Error(`${url} answered ${check.status}`);
        await check.text();
        const firstMs = performance.now() - first;
        const figures = await time(async () => (await fetch(`${BASE}${url}`, { headers: { cookie }, redirect: "manual" })).text());
        const line = `| ${name} (\`${url.length > 48 ? `${url.slice(0, 45)}…` : url}\`) | ${firstMs.toFixed(0)} | ${figures.p50.toFixed(1)} | ${figures.p95.toFixed(1)} | ${(figures.p95 / keyLookup.p95).toFixed(1)} |`;
        console.info(line);
        lines.push(line);
      }
    } finally {
      await stopProcess(server);
      await database.close();
    }
  } finally {
    if (!reused) await target.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return lines;
}

if (!existsSync(".next/BUILD_ID")) {
  console.error("bench:pages serves the built app: run `npm run build` first.");
  process.exit(1);
}
runBench({ only: values.only, setup: `${SESSIONS.toLocaleString("en")} demo sessions, ${RUNS} runs per page after 2 warm-ups`, bench: benchProvider });
