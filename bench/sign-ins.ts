// `npm run bench:sign-ins -- [--sessions 100000] [--only sqlite|postgres] [--seconds 5] [--connections 16]`
// A sign-in storm: POST /api/v1/sessions under autocannon, distinct users and then one user, and
// POST /api/v1/oauth-states, against `npm start`'s server on a database already holding
// `--sessions` demo sessions. Beside it, in the same run and on the same database, the floor: a
// bare node:http server writing the same rows (user, session, audit event) in one transaction
// through the raw driver (bench/servers/insert-floor.mjs). Afterwards every 201 is checked
// against the rows stored. Needs `npm run build` first.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { runBench, startProcess, stopProcess, waitForHttp, type BenchProvider } from "./harness";
import { createApiKeyRepository } from "../lib/db/api-key-repository";
import { openDatabase } from "../lib/db/client";
import { seedDemoData } from "../lib/db/demo-seed";
import { applyMigrations } from "../lib/db/migrate";
import { createScratchDatabase } from "../lib/testing/scratch-database";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "100000" },
    only: { type: "string" },
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "16" },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0";

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  created: number;
  non2xx: number;
  errors: number;
}

/** autocannon at `url` with a body per request from `body(n)`, after a second's warm-up; counts the 201s. */
async function storm(name: string, url: string, headers: Record<string, string>, body: (n: number) => unknown): Promise<Figures> {
  let n = 0;
  const setup = { url, method: "POST" as const, connections: CONNECTIONS, headers: { "content-type": "application/json", ...headers } };
  await autocannon({ ...setup, duration: 1, requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(body(n++)) }) }] });
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { "content-type": "application/json", ...headers },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(body(n++)) }) }],
  });
  const created = result.statusCodeStats?.["201"]?.count ?? 0;
  const figures = { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, created: Number(created), non2xx: result.non2xx, errors: result.errors };
  console.info(`  ${name}: ${Math.round(figures.rps).toLocaleString("en")}/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, 201s ${figures.created}, non-2xx ${figures.non2xx}, errors ${figures.errors}`);
  return figures;
}

async function benchProvider(provider: BenchProvider): Promise<string[]> {
  const target = await createScratchDatabase(provider === "postgres" ? "postgresql" : "sqlite", "latchkey_bench_sign_ins");
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-bench-sign-ins-"));
  try {
    await applyMigrations(target.url);
    await seedDemoData(target.url, { sessions: SESSIONS, now: new Date() });
    const database = openDatabase(target.url);
    const { key } = await createApiKeyRepository(database).createApiKey(
      { appId: "default", name: "bench", scopes: ["sessions:read", "sessions:write", "oauth-states"], createdBy: null, at: new Date() },
      { appId: "default", at: new Date(), type: "api_key.created", actor: { type: "system", label: "bench" } },
    );
    const count = async () => ({ sessions: await database.prisma.session.count(), states: await database.prisma.oAuthState.count() });
    const results: Figures[] = [];
    const run = async (work: () => Promise<Figures>, what: "sessions" | "states") => {
      const before = await count();
      const figures = await work();
      const after = await count();
      // Every 201 is a row in the database; nothing answered was lost.
      if (after[what] - before[what] < figures.created) throw new Error(`${figures.name}: ${figures.created} answered 201 but ${after[what] - before[what]} stored`);
      results.push(figures);
    };

    const floor = startProcess(["bench/servers/insert-floor.mjs", target.url, "3393"], {}, 3393);
    await waitForHttp("http://localhost:3393/", { method: "POST", body: JSON.stringify({ userId: "warm-up" }) });
    await run(() => storm("floor: raw insert, distinct users", "http://localhost:3393/", {}, (n) => ({ userId: `floor-${n}`, userAgent: AGENT })), "sessions");
    await run(() => storm("floor: raw insert, one user", "http://localhost:3393/", {}, () => ({ userId: "floor-one", userAgent: AGENT })), "sessions");
    await stopProcess(floor);

    const server = startProcess(
      ["scripts/server.mjs"],
      { DATABASE_URL: target.url, LATCHKEY_DATA_DIR: dataDir, NEXTAUTH_SECRET: "benchmark-secret-of-at-least-32-characters", NEXTAUTH_URL: "http://localhost:3392", LATCHKEY_LOG_LEVEL: "warn" },
      3392,
    );
    await waitForHttp("http://localhost:3392/api/health");
    const auth = { authorization: `Bearer ${key}` };
    await run(() => storm("Latchkey POST /api/v1/sessions, distinct users", "http://localhost:3392/api/v1/sessions", auth, (n) => ({ userId: `storm-${n}`, userAgent: AGENT })), "sessions");
    await run(() => storm("Latchkey POST /api/v1/sessions, one user", "http://localhost:3392/api/v1/sessions", auth, () => ({ userId: "storm-one", userAgent: AGENT })), "sessions");
    await run(() => storm("Latchkey POST /api/v1/oauth-states", "http://localhost:3392/api/v1/oauth-states", auth, () => ({})), "states");
    await stopProcess(server);
    await database.close();

    const [distinctFloor, oneFloor] = results;
    const ratio = (figures: Figures, base: Figures | undefined) => (base ? `${Math.round((figures.rps / base.rps) * 100)} %` : "");
    return [
      `### ${provider}: ${SESSIONS.toLocaleString("en")} sessions already stored; autocannon -c ${CONNECTIONS} -d ${SECONDS}`,
      "",
      "| what | per second | p50 ms | p99 ms | 201s (all stored) | other answers | of the floor |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...results.map((figures, index) => {
        const base = index === 0 || index === 2 ? distinctFloor : index === 1 || index === 3 ? oneFloor : undefined;
        return `| ${figures.name} | ${Math.round(figures.rps).toLocaleString("en")} | ${figures.p50} | ${figures.p99} | ${figures.created.toLocaleString("en")} | ${figures.non2xx + figures.errors} | ${index < 2 ? "" : ratio(figures, base)} |`;
      }),
    ];
  } finally {
    await target.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!existsSync(".next/BUILD_ID")) {
  console.error("bench:sign-ins serves the built app: run `npm run build` first.");
  process.exit(1);
}
runBench({ only: values.only, setup: `${SESSIONS.toLocaleString("en")} demo sessions in each database; the loader, the server and the database share the machine`, bench: benchProvider });
