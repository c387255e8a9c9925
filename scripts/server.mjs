#!/usr/bin/env node
// The production server: one port for the console, the API and the hot path. Resolve and
// refresh are answered by the hot path (lib/server/hot-path.ts, registered by instrumentation.ts)
// before Next.js sees them; every other request goes to Next.js as `next start` would send it.
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

process.env.NODE_ENV = "production";
process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || 3000);
const { default: next } = await import("next");

const app = next({ dev: false, dir: root, port, hostname: "localhost" });
await app.prepare();
const handle = app.getRequestHandler();
const HOT_PATH = Symbol.for("latchkey.hotPath");

const server = createServer((request, response) => {
  const answerHotCall = globalThis[HOT_PATH];
  if (answerHotCall && answerHotCall(request, response)) return;
  handle(request, response);
});
// Longer than the usual load balancer's idle timeout, so it never reuses a connection we closed.
server.keepAliveTimeout = 65_000;
server.listen(port, () => console.info(`latchkey: listening on port ${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
