import type { z } from "zod";
import type { ApiKeyView } from "../db/api-key-repository";
import { getLatchkey, type Latchkey } from "../server/latchkey";
import type { ConsoleRole } from "../db/user-repository";
import { isSessionError } from "../sessions/errors";
import { TOKEN_PREFIX } from "../sessions/tokens";
import type { RequestContext } from "../sessions/refusal-log";
import type { Actor } from "../sessions/types";
import type { AppEngine } from "../sessions/engine";
import { ALL_APPS, CONSOLE_APP_ID, type AppScope } from "../sessions/policy";
import { CLIENT_IP_HEADER, limitKeyOf } from "../server/client-address";
import { getLogger } from "../server/log";
import { noteApplication, REQUEST_ID_HEADER, type RequestTrace } from "../server/request-trace";
import type { Endpoint } from "./endpoints";
import { API_SCOPES, type CallerScope } from "./scopes";
import { ApiError, errorReply, isApiError, sessionErrorReply, webResponse, type ApiReply } from "./errors";

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_DEPTH = 16;
const KEY_TOUCH_INTERVAL_MS = 60_000;

/**
 * When each API key was last marked used. Kept on globalThis: the hot path and the Next.js routes
 * are bundled apart, and must share it (as they share the limits, on the Latchkey instance).
 */
const shared = globalThis as typeof globalThis & { latchkeyKeyLastMarked?: Map<string, number> };
function keyLastMarked(): Map<string, number> {
  shared.latchkeyKeyLastMarked ??= new Map();
  return shared.latchkeyKeyLastMarked;
}

/** What the API needs of a request, whichever server carries it (Next.js, or the hot path's node:http). */
export interface ApiInput {
  /** The absolute URL. */
  url: string;
  header(name: string): string | null;
  /** The body as it arrives, or all of it read already (the hot path reads it without a promise per chunk). */
  body: AsyncIterable<Uint8Array> | Uint8Array | null;
  params?: Promise<Record<string, string | string[]>>;
  /**
   * The request's trace when the server hands it over itself (the hot path runs outside
   * AsyncLocalStorage, whose hooks cost every promise of every request); else it is looked up.
   */
  trace?: RequestTrace;
}

/** An endpoint's checked call: who calls, and its validated params, query and body. */
export interface CallContext<E extends Endpoint> {
  latchkey: Latchkey;
  /**
   * The engine within the caller's reach: an API key's own application, or for a console account
   * the application its Latchkey-App header names (every application when it names none).
   */
  app: AppEngine;
  key: ApiKeyView | null;
  actor: Actor;
  ip: string | null;
  body: E["body"] extends z.ZodType ? z.output<E["body"]> : undefined;
  query: E["query"] extends z.ZodType ? z.output<E["query"]> : undefined;
  params: E["params"] extends z.ZodType ? z.output<E["params"]> : undefined;
  /** Counts a refused token toward this key's and this IP's failure limit. */
  recordFailure(): void;
  /** Where a presented token came from, for the refusal log: the key, and the end user's address and agent. */
  origin: RequestContext;
  /** Who is calling: an API key, or a console account signed in from the command line. */
  principal: Principal | null;
}

export interface ApiContext<E extends Endpoint> extends CallContext<E> {
  request: Request;
}

/** Who calls the API, and what they may do. */
export interface Principal {
  type: "api_key" | "user";
  id: string;
  /** What the caller reaches: its key's application, or (console accounts) every application. */
  scope: AppScope;
  /** The key's name, or the account's email. */
  name: string;
  scopes: CallerScope[];
  /** The account's console role (people only). */
  role: ConsoleRole | null;
  key: ApiKeyView | null;
  actor: Actor;
}

/**
 * What a console role may do through the API: ADMIN everything (applications too, which no API
 * key may manage), SUPPORT read and write sessions.
 */
export const ROLE_SCOPES: Record<ConsoleRole, CallerScope[]> = {
  ADMIN: [...API_SCOPES, "applications"],
  SUPPORT: ["sessions:read", "sessions:write"],
  USER: [],
};

/** A live key of an enabled application, or why not. */
async function keyOf(latchkey: Latchkey, credential: string, now: number): Promise<Principal | string> {
  const key = await latchkey.apiKeys.authenticateApiKey(credential);
  if (!key) return "The API key is unknown or revoked.";
  const app = key.appId === CONSOLE_APP_ID ? null : await latchkey.engine.context.applications.get(key.appId);
  if (!app) return "The API key is unknown or revoked.";
  if (app.disabledAt) return `The API key's application (${app.name}) is disabled.`;
  const lastMarked = keyLastMarked();
  if (now - (lastMarked.get(key.id) ?? 0) >= KEY_TOUCH_INTERVAL_MS) {
    lastMarked.set(key.id, now);
    await latchkey.apiKeys.markApiKeyUsed(key.id, new Date(now));
  }
  return {
    type: "api_key",
    id: key.id,
    scope: key.appId,
    name: key.name,
    scopes: key.scopes,
    role: null,
    key,
    actor: { type: "api_key", id: key.id, label: key.name },
  };
}

/**
 * A console account's session token (from `latchkey login` with email and password): only a
 * session of the console itself, never one an application made, whatever its user id.
 */
async function personOf(latchkey: Latchkey, token: string, origin: RequestContext): Promise<Principal | string> {
  const refused = "The session has ended or is not a console account's; log in again.";
  const result = await latchkey.console.resolveSession(token, origin, "validate");
  if (!result.authenticated || !result.user.consoleRole || !result.user.email) return refused;
  if (result.user.mustChangePassword) return "This account must choose its own password in the console first.";
  const role = result.user.consoleRole as ConsoleRole;
  return {
    type: "user",
    id: result.user.id,
    scope: ALL_APPS,
    name: result.user.email,
    scopes: ROLE_SCOPES[role] ?? [],
    role,
    key: null,
    actor: { type: "user", id: result.user.id, label: result.user.email },
  };
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status, headers: { "cache-control": "no-store" } });
}

/** The caller's address, as the server found it (lib/server/client-address.ts). */
function clientIp(input: ApiInput): string | null {
  return input.header(CLIENT_IP_HEADER);
}

function validationError(error: z.ZodError, prefix: string): ApiError {
  const issues = error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
  }));
  return new ApiError("VALIDATION_FAILED", `Invalid input: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}.`, { issues });
}

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The chunks of a body, up to the first past MAX_BODY_BYTES (the rest is not read). */
async function readChunks(body: AsyncIterable<Uint8Array> | null): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.byteLength;
    chunks.push(chunk);
    if (size > MAX_BODY_BYTES) break;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Decodes whole bodies only (never `stream: true`), so one serves every request. */
const UTF8 = new TextDecoder("utf-8", { fatal: false });

async function readBody(input: ApiInput, endpoint: Endpoint): Promise<unknown> {
  const declared = Number(input.header("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  const bytes = input.body instanceof Uint8Array ? input.body : await readChunks(input.body);
  if (bytes.byteLength > MAX_BODY_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  const text = UTF8.decode(bytes);
  if (text.trim() === "") {
    if (endpoint.bodyOptional) return {};
    throw new ApiError("VALIDATION_FAILED", "Invalid input: body: a JSON object is required.", {
      issues: [{ field: "body", message: "a JSON object is required" }],
    });
  }
  const type = input.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError("VALIDATION_FAILED", "Invalid input: body: is not valid JSON.", { issues: [{ field: "body", message: "is not valid JSON" }] });
  }
  if (depthOf(parsed) > MAX_DEPTH) {
    throw new ApiError("VALIDATION_FAILED", `Invalid input: body: is nested more than ${MAX_DEPTH} levels deep.`, {
      issues: [{ field: "body", message: `is nested more than ${MAX_DEPTH} levels deep` }],
    });
  }
  return parsed;
}

function queryObject(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  return query;
}

/** The header in which a console account names the application a call works in (id or name). */
export const APP_HEADER = "latchkey-app";

/**
 * What a call reaches: an API key's own application, always (no header changes it); for a
 * console account, the application the Latchkey-App header names, or every application.
 */
async function scopeOf(latchkey: Latchkey, principal: Principal, input: ApiInput): Promise<AppScope> {
  const named = input.header(APP_HEADER)?.trim();
  const app = named ? (named === CONSOLE_APP_ID ? null : await latchkey.engine.findApplication(named)) : null;
  if (principal.type === "api_key") {
    // A key never reaches another application; naming one is a mistake worth saying so.
    if (named && app?.id !== principal.scope) {
      throw new ApiError("FORBIDDEN", `This API key belongs to its own application and works only there; drop the ${APP_HEADER} header.`);
    }
    return principal.scope;
  }
  if (!named) return ALL_APPS;
  if (!app) throw new ApiError("APP_NOT_FOUND", `No application is called ${JSON.stringify(named.slice(0, 64))} (${APP_HEADER} header).`);
  return app.id;
}

/** Errors from the database driver that mean "cannot reach the database", not "bad query". */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { name, message, code, cause } = (error ?? {}) as { name?: string; message?: string; code?: unknown; cause?: { code?: unknown } };
  // PostgreSQL's SQLSTATEs for a lost or refused connection (08000–08006, not 08P01, a protocol
  // violation: a bug), a server shutting down or starting (57P01–57P03), too many connections
  // (53300), a lock or statement that waited too long (55P03, 57014); SQLite's full or failing
  // disk; Prisma's for an unreachable server, a closed connection, a pool timeout and a
  // transaction that waited too long for its turn (P2028: behind a long one, such as SQLite's sweep
  // rebuilding the sessions table).
  const codes = [code, cause?.code].filter((value): value is string => typeof value === "string");
  if (codes.some((value) => /^080(00|01|03|04|06)$|^57P0[123]$|^53300$|^55P03$|^57014$|^SQLITE_(FULL|IOERR)|^P10(01|02|08|17)$|^P202[48]$/.test(value))) return true;
  const text = `${name ?? ""} ${message ?? ""} ${String(cause ?? "")}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|Can't reach database|Connection terminated|terminating connection|server closed the connection|connection timeout|too many clients|SQLITE_BUSY|database is locked|SQLITE_CANTOPEN|PrismaClientInitializationError|the database system is (starting|shutting) up|the database system is in recovery mode/i.test(
    text,
  );
}

function toReply(error: unknown, endpoint: Endpoint, input: ApiInput): ApiReply {
  if (isApiError(error)) return withRequestId(errorReply(error.code, error.message, error.details, error.headers), input);
  if (isSessionError(error)) return withRequestId(sessionErrorReply(error), input);
  const reqId = input.header(REQUEST_ID_HEADER) ?? undefined;
  if (isDatabaseUnavailable(error)) {
    getLogger().error({ reqId, route: endpoint.path, reason: (error as Error).message }, "api: database unavailable");
    return withRequestId(errorReply("SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly.", undefined, { "retry-after": "5" }), input);
  }
  getLogger().error({ reqId, route: endpoint.path, err: error }, "api: unexpected error");
  return withRequestId(errorReply("INTERNAL", "Something went wrong on the server; the error was logged."), input);
}

/**
 * A server error's body names the request id (X-Request-Id, also in the response's header), so
 * that an operator finds its log lines.
 */
function withRequestId(reply: ApiReply, input: ApiInput): ApiReply {
  const id = input.header(REQUEST_ID_HEADER);
  if (reply.status < 500 || !id) return reply;
  const body = reply.body as { error: Record<string, unknown> };
  return { ...reply, body: { error: { ...body.error, requestId: id } } };
}

/** The end user's address and agent if the body names them (token endpoints), else the caller's. */
function originOf(input: ApiInput, principal: Principal | null, ip: string | null, body: unknown): RequestContext {
  const client = (typeof body === "object" && body !== null ? body : {}) as { ip?: string; userAgent?: string };
  return { source: principal?.name ?? "api", ip: client.ip ?? ip, userAgent: client.userAgent ?? input.header("user-agent") };
}

/**
 * Runs one call of an endpoint: authenticates the API key, checks its scope, enforces the body
 * limit and content type, validates params, query and body against the endpoint's schemas,
 * applies rate limits, and maps every error to `{ error: { code, message, details } }`.
 */
async function call<E extends Endpoint, R>(
  endpoint: E,
  input: ApiInput,
  handle: (context: CallContext<E>) => Promise<R>,
): Promise<R | ApiReply> {
  const ip = clientIp(input);
  // Limits count an address (an IPv6 /64) once, under one key for every limit.
  const ipKey = ip ? limitKeyOf(ip) : "unknown";
  const now = Date.now();
  try {
    const latchkey = getLatchkey();
    const { apiAuth: authFailures, apiTokens: tokenFailures } = latchkey.limits;
    let key: ApiKeyView | null = null;
    let principal: Principal | null = null;
    let actor: Actor = { type: "system", label: "api" };
    if (endpoint.scope) {
      const wait = authFailures.retryAfter(ipKey);
      if (wait > 0) {
        throw new ApiError("RATE_LIMITED", "Too many failed authentications from this address.", { retryAfterSeconds: wait }, { "retry-after": String(wait) });
      }
      const header = input.header("authorization") ?? "";
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) {
        await authFailures.recordFailure(ipKey);
        throw new ApiError("UNAUTHORIZED", "Send an API key: Authorization: Bearer lka_…");
      }
      const credential = match[1]!;
      const found = credential.startsWith(TOKEN_PREFIX.session)
        ? await personOf(latchkey, credential, { source: "cli", ip, userAgent: input.header("user-agent") })
        : await keyOf(latchkey, credential, now);
      if (typeof found === "string") {
        await authFailures.recordFailure(ipKey);
        throw new ApiError("UNAUTHORIZED", found);
      }
      principal = found;
      if (typeof principal.scope === "string") noteApplication(principal.scope, input.trace);
      key = principal.key;
      if (endpoint.scope !== "any" && !principal.scopes.includes(endpoint.scope)) {
        const whose = principal.type === "api_key" ? "This API key lacks" : `A ${principal.role} account lacks`;
        throw new ApiError("FORBIDDEN", `${whose} the ${endpoint.scope} scope.`, { requiredScope: endpoint.scope });
      }
      actor = principal.actor;
    }
    const limitKeys = [principal ? `key:${principal.id}` : null, `ip:${ipKey}`].filter((k): k is string => k !== null);
    if (endpoint.limitFailures) {
      const wait = Math.max(...limitKeys.map((k) => tokenFailures.retryAfter(k)));
      if (wait > 0) {
        latchkey.refusals?.record({
          appId: principal && typeof principal.scope === "string" ? principal.scope : CONSOLE_APP_ID,
          at: new Date(now),
          reason: "RATE_LIMITED",
          operation: endpoint.limitFailures,
          source: principal?.name ?? "api",
          sessionId: null,
          userId: null,
          revokedReason: null,
          ip,
          userAgent: input.header("user-agent"),
        });
        throw new ApiError("RATE_LIMITED", "Too many refused tokens; slow down.", { retryAfterSeconds: wait }, { "retry-after": String(wait) });
      }
    }

    let params: unknown;
    if (endpoint.params) {
      const raw = input.params ? await input.params : {};
      const parsed = endpoint.params.safeParse(raw);
      if (!parsed.success) {
        // A malformed id names no session: the same answer as an unknown one.
        if ("id" in (raw as object)) throw new ApiError("SESSION_NOT_FOUND", "No such session.");
        throw validationError(parsed.error, "path");
      }
      params = parsed.data;
    }
    let query: unknown;
    if (endpoint.query) {
      const parsed = endpoint.query.safeParse(queryObject(new URL(input.url)));
      if (!parsed.success) throw validationError(parsed.error, "query");
      query = parsed.data;
    }
    let body: unknown;
    if (endpoint.body) {
      const parsed = endpoint.body.safeParse(await readBody(input, endpoint));
      if (!parsed.success) throw validationError(parsed.error, "body");
      body = parsed.data;
    }
    const scope = principal ? await scopeOf(latchkey, principal, input) : ALL_APPS;
    if (typeof scope === "string") noteApplication(scope, input.trace);
    return await handle({
      latchkey,
      app: latchkey.engine.app(scope),
      key,
      actor,
      ip,
      body: body as ApiContext<E>["body"],
      query: query as ApiContext<E>["query"],
      params: params as ApiContext<E>["params"],
      // Not awaited: a refused token's answer does not wait on the shared counter.
      recordFailure: () => {
        for (const k of limitKeys) tokenFailures.recordFailure(k).catch((error: Error) => getLogger().error({ reason: error.message }, "api: a refused token could not be counted"));
      },
      origin: originOf(input, principal, ip, body),
      principal,
    });
  } catch (error) {
    return toReply(error, endpoint, input);
  }
}

function isReply(value: unknown): value is ApiReply {
  return !(value instanceof Response);
}

/** A Next.js route handler for an endpoint. `handle` answers with a Response or an ApiReply. */
export function apiRoute<E extends Endpoint>(endpoint: E, handle: (context: ApiContext<E>) => Promise<Response | ApiReply>) {
  return async (request: Request, routeContext?: RouteContext): Promise<Response> => {
    const input: ApiInput = { url: request.url, header: (name) => request.headers.get(name), body: request.body as AsyncIterable<Uint8Array> | null, params: routeContext?.params };
    const answer = await call(endpoint, input, (context) => handle({ ...context, request }));
    return isReply(answer) ? webResponse(answer) : answer;
  };
}

/** The same endpoint for a server other than Next.js (the hot path): every answer is an ApiReply. */
export function apiCall<E extends Endpoint>(endpoint: E, handle: (context: CallContext<E>) => Promise<ApiReply>) {
  return (input: ApiInput): Promise<ApiReply> => call(endpoint, input, handle);
}
