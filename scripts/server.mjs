#!/usr/bin/env node
// The production server: one port for the console, the API and the hot path. Resolve and
// refresh are answered by the hot path (lib/server/hot-path.ts, registered by instrumentation.ts)
// before Next.js sees them; every other request goes to Next.js as `next start` would send it.
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import helmet from "helmet";

process.env.NODE_ENV = "production";
process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || 3000);
const { default: next } = await import("next");

const app = next({ dev: false, dir: root, port, hostname: "localhost" });
await app.prepare();
const handle = app.getRequestHandler();
const HOT_PATH = Symbol.for("latchkey.hotPath");
const CLIENT_ADDRESS = Symbol.for("latchkey.clientAddress");
// Request ids, metrics and the request log (lib/server/observe.ts, registered by instrumentation.ts).
const REQUEST_OBSERVER = Symbol.for("latchkey.requestObserver");
let observe = null;
function observer() {
  if (!observe) observe = globalThis[REQUEST_OBSERVER]?.(root) ?? null;
  return observe;
}

// Security headers on every response, the hot path's included. The Content-Security-Policy here
// suits API answers and files (nothing to run, nothing to frame); proxy.ts replaces it on pages
// with a policy that lets Next.js's scripts run by nonce.
const SECURITY_HEADERS = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  // Not "no-referrer": a browser then sends `Origin: null` on same-origin posts, which the
  // console's cross-site check (proxy.ts) refuses. Other sites get no referrer at all.
  referrerPolicy: { policy: "same-origin" },
  xFrameOptions: { action: "deny" },
  crossOriginOpenerPolicy: { policy: "same-origin" },
  crossOriginResourcePolicy: { policy: "same-origin" },
  strictTransportSecurity: false,
};
const setHeadersOverHttp = helmet(SECURITY_HEADERS);
// HSTS only for clients that reached us (or the first trusted proxy) over TLS: on plain http a
// browser ignores it, and a proxy that ends TLS says so in X-Forwarded-Proto. Not includeSubDomains:
// the other hosts of the operator's domain are not ours to decide.
const setHeadersOverHttps = helmet({ ...SECURITY_HEADERS, strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false } });
// helmet sets no Permissions-Policy: the console needs no device or sensor feature.
const PERMISSIONS_POLICY = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()";
const ignore = () => {};

function setSecurityHeaders(request, response) {
  const setHeaders = request.headers["x-latchkey-client-proto"] === "https" ? setHeadersOverHttps : setHeadersOverHttp;
  setHeaders(request, response, ignore);
  response.setHeader("Permissions-Policy", PERMISSIONS_POLICY);
}

const server = createServer((request, response) => {
  // Who the client is comes from the socket and the trusted proxies (lib/server/client-address.ts),
  // never from headers the client chose: they are dropped even if that code is not loaded.
  const stampClient = globalThis[CLIENT_ADDRESS];
  if (stampClient) stampClient(request);
  else for (const name of ["x-latchkey-client-ip", "x-latchkey-client-proto"]) delete request.headers[name];
  setSecurityHeaders(request, response);
  const observeRequest = observer();
  // The observer tries the hot path itself, handing it the request's trace.
  if (observeRequest) observeRequest(request, response, handle);
  else serve(request, response);
});

function serve(request, response) {
  const answerHotCall = globalThis[HOT_PATH];
  if (answerHotCall && answerHotCall(request, response)) return;
  handle(request, response);
}
// Longer than the usual load balancer's idle timeout, so it never reuses a connection we closed.
server.keepAliveTimeout = 65_000;
server.listen(port, () => console.info(`latchkey: listening on port ${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
