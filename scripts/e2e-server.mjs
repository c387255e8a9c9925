#!/usr/bin/env node
// Serves the built app for the Playwright suite: its own port, a fresh SQLite database in a
// temporary folder, and a known first admin.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = process.env.E2E_PORT || "3100";
// Known to the tests (e2e/fixtures.ts), which seed API keys into it and count its rows.
const dataDir = path.join(tmpdir(), `latchkey-e2e-${port}`);
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

const server = spawn(process.execPath, [path.join(root, "scripts", "server.mjs")], {
  cwd: root,
  stdio: "inherit",
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
  },
});
function stop(signal) {
  server.kill(signal);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
