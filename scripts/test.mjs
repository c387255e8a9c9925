#!/usr/bin/env node
// `npm test`: type-checks, runs the engine suite on SQLite and on a fresh PostgreSQL database,
// builds the app and the example app, runs the Playwright suite in Chromium, and prints the counts
// of every suite.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, missing } from "./preflight.mjs";
import { findTokens, scanLogDir } from "./token-scan.mjs";
import { unhandledErrors } from "./vitest-output.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const results = path.join(root, "test-results");
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
// The engine suites' reports: apart from test-results, which Playwright empties when it starts.
const engineResults = mkdtempSync(path.join(tmpdir(), "latchkey-engine-"));
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const postgresAdminUrl = process.env.LATCHKEY_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const summary = [];
let failed = false;

/**
 * Runs a command beside the others of its stage; what it prints is kept and printed whole, under
 * its title, once it ends (or, with `hold`, once `hold` settles), so that the log reads one step
 * at a time. Resolves whether it passed, and what it printed.
 */
function run(title, command, args, env = {}, hold = Promise.resolve()) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.stderr.on("data", (chunk) => chunks.push(chunk));
    child.on("error", (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.on("close", async (code) => {
      await hold;
      console.info(`\n=== ${title} ===`);
      const output = Buffer.concat(chunks);
      process.stdout.write(output);
      if (code !== 0) failed = true;
      resolve({ ok: code === 0, output: output.toString() });
    });
  });
}

/** Runs the engine suite with `env`; resolves its line of the summary. */
async function vitest(title, file, env, hold) {
  const { ok, output } = await run(title, bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile=${file}`], env, hold);
  const unhandled = unhandledErrors(output);
  if (!existsSync(file)) return { title, passed: 0, failed: Math.max(1, unhandled.length), skipped: 0, failing: unhandled };
  const report = JSON.parse(readFileSync(file, "utf8"));
  // Each error outside a test counts as a failure; a run that failed with neither (a file that did
  // not load, say) still counts as one.
  const failures = report.numFailedTests + unhandled.length || (ok ? 0 : 1);
  const failing = report.testResults.flatMap((file) => [
    ...file.assertionResults.filter((test) => test.status === "failed").map((test) => `${path.relative(root, file.name)} › ${test.fullName}`),
    ...(file.status === "failed" && file.assertionResults.every((test) => test.status !== "failed") ? [`${path.relative(root, file.name)}: ${file.message}`] : []),
  ]).concat(unhandled);
  return { title, passed: report.numPassedTests, failed: failures, skipped: report.numPendingTests + report.numTodoTests, failing };
}

/** The titles of the failing tests in a Playwright JSON report's suites, with their files and lines. */
function failingSpecs(suites = []) {
  return suites.flatMap((suite) => [
    ...(suite.specs ?? []).filter((spec) => !spec.ok).map((spec) => `${spec.file}:${spec.line} › ${spec.title}`),
    ...failingSpecs(suite.suites),
  ]);
}

async function withPostgresDatabase(work) {
  const name = `latchkey_run_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    const cleanup = new pg.Client({ connectionString: postgresAdminUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await cleanup.end();
  }
}

/** Drops the per-file databases of a run that was killed midway (before this run makes its own). */
async function dropLeftoverDatabases() {
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'latchkey_test_%' AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)",
    );
    for (const row of rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

// What the machine lacks, in one message, before minutes of tests fail one by one on it.
const problems = await missing();
if (problems.length > 0) {
  console.error(describe(problems));
  process.exit(1);
}

const started = Date.now();
await dropLeftoverDatabases().catch(() => undefined);
// The first stage in three lanes at once, which keeps a small machine's cores busy (an engine
// suite leaves one core to spare, the type-check runs on one): the build, then the type-check,
// which reads the route types the build writes (so the build skips its own type-check), then the
// example app's build (examples/next-app, with the packages it installs: the suite runs it beside
// Latchkey, as an application would); the engine suite on SQLite; the engine suite on PostgreSQL.
const firstLane = (async () => {
  const builtApp = (await run("build", bin("next"), ["build"], { NEXT_TELEMETRY_DISABLED: "1", LATCHKEY_BUILD_TYPECHECKED: "1" })).ok;
  const checked = (await run("type-check", bin("tsc"), ["--noEmit", "-p", "."])).ok;
  const built = builtApp && (await run("build the example app and the packages", "npm", ["run", "build", "--workspace", "examples/next-app"], { NEXT_TELEMETRY_DISABLED: "1" })).ok;
  return { checked, built };
})();
// The PostgreSQL suite usually ends last, half a minute after the others: the Playwright suite
// starts without waiting for it, and its output is printed after the Playwright suite's.
let e2eDone = () => {};
const afterE2e = new Promise((resolve) => (e2eDone = resolve));
const postgresLane = withPostgresDatabase((url) =>
  vitest(
    "engine suite on PostgreSQL",
    path.join(engineResults, "engine-postgres.json"),
    { LATCHKEY_TEST_DATABASE: "postgres", LATCHKEY_TEST_POSTGRES_URL: url },
    afterE2e,
  ),
).catch((error) => {
  console.error(`PostgreSQL is not reachable at ${postgresAdminUrl}: ${error.message}`);
  failed = true;
  return { title: "engine suite on PostgreSQL", passed: 0, failed: 1, skipped: 0 };
});
const [{ checked, built }, onSqlite] = await Promise.all([
  firstLane,
  vitest("engine suite on SQLite", path.join(engineResults, "engine-sqlite.json"), { LATCHKEY_TEST_DATABASE: "sqlite" }),
]);
summary.push({ title: "type-check", passed: checked ? 1 : 0, failed: checked ? 0 : 1, skipped: 0 }, onSqlite);

/** Runs a command, echoing its output and returning all of it (to check it for leaked secrets). */
function runCaptured(title, command, args, env = {}) {
  console.info(`\n=== ${title} ===`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let output = "";
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => {
        output += chunk.toString();
        (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
      });
    }
    child.on("close", (code) => {
      if (code !== 0) failed = true;
      resolve(output);
    });
  });
}

if (built) {
  // Every server of the run writes what it prints here: the e2e server's request log, which the
  // Playwright output leaves out, and the servers specs start.
  const logDir = path.join(tmpdir(), `latchkey-e2e-logs-${process.pid}`);
  const output = await runCaptured("console suite in Chromium (Playwright)", bin("playwright"), ["test"], { E2E_LOG_DIR: logDir });
  // Any full token (session, OAuth state, API key) in the server's or the tests' output is a leak.
  const logs = scanLogDir(logDir);
  rmSync(logDir, { recursive: true, force: true });
  const leaks = [...new Set([...findTokens(output), ...logs.leaks.map((leak) => leak.token)])];
  console.info(`\n=== tokens in the server and test output (and ${logs.files} server logs): ${leaks.length} ===`);
  if (logs.files === 0) {
    failed = true;
    console.error(`no server log was written to ${logDir}: the scan would have seen nothing of the servers' logs`);
  }
  summary.push({ title: "no token in server or test output", passed: leaks.length === 0 ? 1 : 0, failed: leaks.length === 0 ? 0 : 1, skipped: 0 });
  if (leaks.length > 0) {
    failed = true;
    console.error(`tokens found in the output (first characters): ${leaks.map((token) => `${token.slice(0, 8)}…`).join(", ")}`);
  }
  const chromium = { title: "console suite in Chromium", passed: 0, failed: 1, skipped: 0, failing: [] };
  const report = path.join(results, "e2e.json");
  if (existsSync(report)) {
    const { stats, suites, errors = [] } = JSON.parse(readFileSync(report, "utf8"));
    // Errors outside any test (a spec that did not load, the server that did not start) count too.
    const outside = errors.map((error) => `outside any test: ${String(error.message ?? "").split("\n")[0]}`);
    Object.assign(chromium, { passed: stats.expected + stats.flaky, failed: stats.unexpected + outside.length, skipped: stats.skipped, failing: [...failingSpecs(suites), ...outside] });
  }
  summary.push(chromium);
} else {
  summary.push({ title: "build", passed: 0, failed: 1, skipped: 0 });
}
e2eDone();
summary.splice(2, 0, await postgresLane);
rmSync(engineResults, { recursive: true, force: true });

console.info(`\n=== summary (${Math.round((Date.now() - started) / 1000)} s) ===`);
for (const line of summary) {
  console.info(`${line.title}: ${line.passed} passed, ${line.failed} failed, ${line.skipped} skipped`);
  // The failing tests by name, here at the end, where a long log's last lines still show them.
  for (const name of line.failing ?? []) console.info(`  failed: ${name}`);
}
const total = summary.reduce((sum, line) => ({ passed: sum.passed + line.passed, failed: sum.failed + line.failed }), { passed: 0, failed: 0 });
if (failed && total.failed === 0) total.failed = 1;
console.info(`${total.passed} passed, ${total.failed} failed`);
process.exit(failed || total.failed > 0 ? 1 : 0);
