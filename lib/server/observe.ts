import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Logger } from "pino";
import { CLIENT_IP_HEADER } from "./client-address";
import type { Metrics } from "./metrics";
import { createRouteTable, loggedPath, REQUEST_ID_HEADER, requestIdOf, requestTraces, type RequestTrace, type RoutesManifest } from "./request-trace";

/** Where Prometheus scrapes; answered here, before Next.js, and only while a metrics token is set. */
export const METRICS_PATH = "/metrics";

export type Serve = (request: IncomingMessage, response: ServerResponse) => void;
/** Answers a request if it is a hot call (lib/server/hot-path.ts), its trace passed along; false leaves it to Next.js. */
export type AnswerHot = (request: IncomingMessage, response: ServerResponse, trace: RequestTrace) => boolean;
/** Wraps the server's answer to one request: its id, its metrics, its log line. */
export type RequestObserver = (request: IncomingMessage, response: ServerResponse, serve: Serve) => void;

export interface RequestObserverOptions {
  /** The app's folder (its `.next/routes-manifest.json` names the route templates). */
  appDir: string;
  metrics: Metrics;
  logger: Logger;
  /** The bearer token for /metrics; null answers /metrics as any unknown path (Next.js's 404). */
  metricsToken: string | null;
  /** The hot path, tried before `serve`. */
  answerHot?: AnswerHot;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** True when the Authorization header carries, as a bearer token, exactly the token whose SHA-256 is `expected` (compared in constant time). */
export function bearerMatches(header: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof header !== "string") return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // Digests have one length, so the comparison never throws and its time says nothing of the token.
  return timingSafeEqual(digest(match?.[1] ?? ""), expected) && match !== null;
}

function readManifest(appDir: string): RoutesManifest {
  try {
    return JSON.parse(readFileSync(path.join(appDir, ".next", "routes-manifest.json"), "utf8")) as RoutesManifest;
  } catch {
    return {};
  }
}

/**
 * The observer scripts/server.mjs runs every request through: it settles the request id (a safe
 * incoming X-Request-Id, else a new one), echoes it in the response, answers /metrics, runs the
 * request with its trace (so the API can note the application and put the id in 5xx bodies), and
 * when the response ends, counts its latency under its route template and writes one log line.
 * The hot path gets the trace as an argument; only what goes on to Next.js runs inside
 * AsyncLocalStorage, whose context rides on every promise the request makes.
 */
export function createRequestObserver({ appDir, metrics, logger, metricsToken, answerHot }: RequestObserverOptions): RequestObserver {
  const routeOf = createRouteTable(readManifest(appDir), [METRICS_PATH]);
  const expected = metricsToken ? digest(metricsToken) : null;
  const traces = requestTraces();

  async function answerMetrics(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!bearerMatches(request.headers.authorization, expected!)) {
      response.writeHead(401, { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" });
      response.end("A metrics token is required: Authorization: Bearer <LATCHKEY_METRICS_TOKEN>.\n");
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "cache-control": "no-store" });
      response.end();
      return;
    }
    const text = await metrics.registry.metrics();
    response.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    response.end(request.method === "HEAD" ? undefined : text);
  }

  return (request, response, serve) => {
    const started = performance.now();
    const id = requestIdOf(request.headers[REQUEST_ID_HEADER]);
    // Downstream (the API's error bodies, the error log) reads the settled id from the request.
    request.headers[REQUEST_ID_HEADER] = id;
    response.setHeader("X-Request-Id", id);
    const trace: RequestTrace = { id, appId: null };
    const url = request.url ?? "/";
    const route = routeOf(url);

    response.once("close", () => {
      const seconds = (performance.now() - started) / 1000;
      const status = response.statusCode;
      const method = request.method ?? "GET";
      metrics.requestAnswered(method, route, status, seconds);
      const line = {
        reqId: id,
        method,
        route,
        path: loggedPath(url),
        status,
        durationMs: Math.round(seconds * 100_000) / 100,
        appId: trace.appId ?? undefined,
        ip: request.headers[CLIENT_IP_HEADER] ?? request.socket.remoteAddress ?? undefined,
        aborted: response.writableFinished ? undefined : true,
      };
      if (status >= 500) logger.error(line, "request");
      else logger.info(line, "request");
    });

    if (expected && route === METRICS_PATH) {
      answerMetrics(request, response).catch((error: unknown) => {
        logger.error({ reqId: id, err: error }, "metrics could not be collected");
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
      return;
    }
    if (answerHot?.(request, response, trace)) return;
    traces.run(trace, serve, request, response);
  };
}

/** Where scripts/server.mjs finds the observer's factory once instrumentation has loaded it. */
export const REQUEST_OBSERVER_KEY = Symbol.for("latchkey.requestObserver");
