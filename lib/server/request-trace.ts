import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** The header a request id arrives in (from a proxy or a client) and leaves in. */
export const REQUEST_ID_HEADER = "x-request-id";

/** What is known of the request being answered, for its log line. */
export interface RequestTrace {
  id: string;
  /** The application of the API key (or the one a console account named) once it is known. */
  appId: string | null;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request id to use: the one the request brought if it is short and made of safe characters
 * (it goes into log lines and headers as it is), else a new one.
 */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === "string" && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const MAX_LOGGED_PATH = 256;
const TOKEN_LIKE = /\b(lks|lko|lka)_[^/?#]*/g;

/**
 * A request's path for the log: no query string, and anything shaped like a Latchkey token
 * (which belongs in a header or a body, but a client may put anywhere) cut out.
 */
export function loggedPath(url: string): string {
  const end = url.search(/[?#]/);
  let path = end === -1 ? url : url.slice(0, end);
  if (path.length > MAX_LOGGED_PATH) path = `${path.slice(0, MAX_LOGGED_PATH)}…`;
  return path.includes("_") ? path.replace(TOKEN_LIKE, "$1_[redacted]") : path;
}

/** The part of Next.js's `.next/routes-manifest.json` that names the app's routes. */
export interface RoutesManifest {
  staticRoutes?: { page: string }[];
  dynamicRoutes?: { page: string; regex: string }[];
}

/** Routes no page of the app declares. */
export const UNMATCHED_ROUTE = "(unmatched)";
const NEXT_ASSETS_ROUTE = "/_next/*";

/**
 * Maps a path to its route template (`/sessions/[id]`), from the build's routes manifest: a fixed
 * set, so metrics labelled by it stay bounded whatever paths clients send. Static routes first,
 * then dynamic ones in the manifest's order (Next.js lists the most specific first).
 */
export function createRouteTable(manifest: RoutesManifest, extra: readonly string[] = []): (path: string) => string {
  const exact = new Set<string>([...(manifest.staticRoutes ?? []).map((route) => route.page), ...extra]);
  const dynamic = (manifest.dynamicRoutes ?? []).map((route) => ({ page: route.page, regex: new RegExp(route.regex) }));
  return (rawPath) => {
    const end = rawPath.search(/[?#]/);
    let path = end === -1 ? rawPath : rawPath.slice(0, end);
    if (path.startsWith("/_next/")) return NEXT_ASSETS_ROUTE;
    if (path.endsWith(".rsc")) path = path.slice(0, -4);
    if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
    if (exact.has(path)) return path;
    for (const route of dynamic) if (route.regex.test(path)) return route.page;
    return UNMATCHED_ROUTE;
  };
}

const shared = globalThis as typeof globalThis & { [key: symbol]: AsyncLocalStorage<RequestTrace> | undefined };
const TRACES_KEY = Symbol.for("latchkey.requestTraces");

/** The store of the request being answered; on globalThis, as the server and the routes are bundled apart. */
export function requestTraces(): AsyncLocalStorage<RequestTrace> {
  return (shared[TRACES_KEY] ??= new AsyncLocalStorage<RequestTrace>());
}

/** The request being answered, if this code runs on behalf of one. */
export function currentTrace(): RequestTrace | undefined {
  return requestTraces().getStore();
}

/**
 * Records the application the request works in, for its log line: in the trace given (the hot
 * path passes its own, outside AsyncLocalStorage), else in the one of the request being answered.
 */
export function noteApplication(appId: string, trace: RequestTrace | undefined = currentTrace()): void {
  if (trace) trace.appId = appId;
}
