#!/usr/bin/env node
// Starts the Latchkey console and API: builds the app when there is no build yet, then runs
// the production server (scripts/server.mjs), or `next dev` with --dev. Migrations and the
// first admin account are handled by the server itself as it starts (instrumentation.ts).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const next = require.resolve("next/dist/bin/next", { paths: [root] });
const dev = process.argv.includes("--dev");
const port = process.env.PORT || "3000";
const env = {
  ...process.env,
  PORT: port,
  NEXTAUTH_URL: process.env.NEXTAUTH_URL || `http://localhost:${port}`,
  NEXT_TELEMETRY_DISABLED: "1",
};

if (!dev && !existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.info("latchkey: building the app (first start only; `npm run build` after changes)…");
  const build = spawnSync(process.execPath, [next, "build"], { cwd: root, env, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

console.info(`latchkey: starting on ${env.NEXTAUTH_URL}`);
if (dev) {
  const server = spawn(process.execPath, [next, "dev", "--port", port], { cwd: root, env, stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  Object.assign(process.env, env);
  await import("./server.mjs");
}
