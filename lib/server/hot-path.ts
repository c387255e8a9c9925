import type { IncomingMessage, ServerResponse } from "node:http";
import { endpoints } from "../api/endpoints";
import { apiCall, MAX_BODY_BYTES, type ApiInput } from "../api/handler";
import type { ApiReply } from "../api/errors";
import { createCall, createGuestCall, issueStateCall, refreshCall, resolveCall } from "../api/session-calls";
import { getLogger } from "./log";
import { REQUEST_ID_HEADER, type RequestTrace } from "./request-trace";

/**
 * Resolve, refresh and the sign-in calls answered straight from node:http, before Next.js sees
 * the request. A Next.js route handler costs about a millisecond of CPU before its code runs,
 * which caps every route near 850 requests per second on two cores; resolve and refresh are made
 * on every request of every application, and a sign-in storm (everyone sent back to sign in at
 * once) makes creates as frequent, so they skip it. Same endpoints table, same checks, same
 * answers: the calls are the ones the Next.js routes run (lib/api/session-calls.ts).
 */
const calls: Record<string, (input: ApiInput) => Promise<ApiReply>> = {
  [endpoints.resolveSession.path]: apiCall(endpoints.resolveSession, resolveCall),
  [endpoints.refreshSession.path]: apiCall(endpoints.refreshSession, refreshCall),
  [endpoints.createSession.path]: apiCall(endpoints.createSession, createCall),
  [endpoints.createGuestSession.path]: apiCall(endpoints.createGuestSession, createGuestCall),
  [endpoints.issueOAuthState.path]: apiCall(endpoints.issueOAuthState, issueStateCall),
};

/**
 * Reads the whole body from the request's events (no promise per chunk), then hands it over; past
 * MAX_BODY_BYTES it stops keeping chunks and hands over what it has (the call refuses it as too
 * large) while the rest drains, so the answer can still be sent. A failed read is handed over as
 * a body that throws it.
 */
function readWholeBody(request: IncomingMessage, done: (body: ApiInput["body"]) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (body: ApiInput["body"]) => {
    if (settled) return;
    settled = true;
    done(body);
  };
  const whole = () => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  const keep = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size <= MAX_BODY_BYTES) return;
    request.removeListener("data", keep);
    request.resume();
    settle(whole());
  };
  request.on("data", keep);
  request.on("end", () => settle(whole()));
  request.on("error", (error) => settle({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) }));
}

/**
 * Answers the request if it is one of the hot calls, and says whether it did. Anything else
 * (another path, another method) is left to Next.js. `trace` is the request's trace from the
 * request observer (lib/server/observe.ts), which notes the application for the log line.
 */
export function answerHotCall(request: IncomingMessage, response: ServerResponse, trace?: RequestTrace): boolean {
  if (request.method !== "POST" || !request.url) return false;
  const query = request.url.indexOf("?");
  const run = calls[query === -1 ? request.url : request.url.slice(0, query)];
  if (!run) return false;
  const started = performance.now();
  readWholeBody(request, (body) => answer(run, request, response, { url: `http://${request.headers.host ?? "localhost"}${request.url}`, header: headerOf(request), body, trace }, started));
  return true;
}

function headerOf(request: IncomingMessage): ApiInput["header"] {
  return (name) => {
    const value = request.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
}

function answer(run: (input: ApiInput) => Promise<ApiReply>, request: IncomingMessage, response: ServerResponse, input: ApiInput, started: number): void {
  run(input).then(
    (reply) => {
      const text = JSON.stringify(reply.body);
      response.writeHead(reply.status, {
        "content-type": "application/json",
        "cache-control": "no-store",
        ...reply.headers,
        "content-length": Buffer.byteLength(text),
        // Says which path answered, and how long it took here.
        "server-timing": `hot;dur=${(performance.now() - started).toFixed(2)}`,
      });
      response.end(text);
    },
    (error: unknown) => {
      const requestId = input.header(REQUEST_ID_HEADER) ?? undefined;
      getLogger().error({ reqId: requestId, route: request.url?.split("?")[0], err: error }, "api: hot path: unexpected error");
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ error: { code: "INTERNAL", message: "Something went wrong on the server; the error was logged.", requestId } }));
    },
  );
}

/** Where the custom server (scripts/server.mjs) finds the hot path once instrumentation has loaded it. */
export const HOT_PATH_KEY = Symbol.for("latchkey.hotPath");
