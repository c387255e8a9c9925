#!/usr/bin/env node
// Serves the built app for the Playwright suite: its own port, a fresh SQLite database in a
// temporary folder, and a known first admin.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.E2E_PORT || "3100";
// Known to the tests (e2e/fixtures.ts), which seed API keys into it and count its rows.
const dataDir = path.join(tmpdir(), `latchkey-e2e-${port}`);
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
// Everything the servers of the run print goes here too (e2e/fixtures.ts's e2eLogDir), where
// the suite's token scan (scripts/test.mjs) and the log specs read it.
const logDir = process.env.E2E_LOG_DIR || path.join(tmpdir(), `latchkey-e2e-logs-${port}`);
rmSync(logDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });
const log = createWriteStream(path.join(logDir, `e2e-server-${port}.log`));

const server = spawn(process.execPath, [path.join(root, "scripts", "server.mjs")], {
  cwd: root,
  stdio: ["inherit", "pipe", "pipe"],
  env: {
    ...process.env,
    PORT: port,
    NEXTAUTH_URL: `http://localhost:${port}`,
    NEXT_TELEMETRY_DISABLED: "1",
    LATCHKEY_DATA_DIR: dataDir,
    DATABASE_URL: process.env.E2E_DATABASE_URL || `file:${path.join(dataDir, "latchkey.db")}`,
    LATCHKEY_ADMIN_EMAIL: process.env.E2E_ADMIN_EMAIL || "admin@e2e.test",
    LATCHKEY_API_TOKEN_FAILURE_LIMIT: "300",
    // The suite stands in for a proxy on this machine: each spec file sends its own
    // X-Forwarded-For, so that per-address limits stay per file.
    LATCHKEY_TRUSTED_PROXIES: "loopback",
    // Dead sessions become sweepable two seconds after they end, so the sweep page has work.
    LATCHKEY_RETENTION: "2s",
    LATCHKEY_ADMIN_PASSWORD: process.env.E2E_ADMIN_PASSWORD || "correct horse battery staple",
    // Webhook receivers of the suite listen on this machine; failed deliveries retry after 1 s, 2 s, 4 s…
    LATCHKEY_WEBHOOK_ALLOW: "127.0.0.1/32",
    LATCHKEY_WEBHOOK_RETRY_BASE: "1s",
    // /metrics answers the suite's bearer of this token (e2e/metrics.spec.ts).
    LATCHKEY_METRICS_TOKEN: process.env.E2E_METRICS_TOKEN || "e2e-metrics-token-0123456789",
  },
});
// The request log (one line per request, thousands in a run) goes to the file only; everything
// else is passed on as the server printed it.
const REQUEST_LINE = /^\{"level":"info",[^\n]*"msg":"request"\}$/;
for (const [from, to] of [
  [server.stdout, process.stdout],
  [server.stderr, process.stderr],
]) {
  let rest = "";
  from.on("data", (chunk) => {
    log.write(chunk);
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    const shown = lines.filter((line) => !REQUEST_LINE.test(line));
    if (shown.length > 0) to.write(`${shown.join("\n")}\n`);
  });
  from.on("end", () => {
    if (rest) to.write(rest);
  });
}
function stop(signal) {
  server.kill(signal);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// "close": after the server's output has all arrived, so the log file is complete.
server.on("close", (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  log.end(() => process.exit(code ?? 0));
});
