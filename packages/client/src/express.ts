import type { IncomingMessage, ServerResponse } from "node:http";
import { LatchkeyApiError, type ClientInfo, type LatchkeyClient } from "./client";
import { clearSessionCookie, readCookie, sessionCookie, sessionCookieName } from "./cookies";
import { sessionEnded, type SessionEnded } from "./ended";
import type { SessionJson, UserJson } from "./types";

/** What the middleware puts on the request for a live session. */
export interface LatchkeyRequestContext {
  session: SessionJson;
  user: UserJson;
  /** The token the request carried, or its replacement when the middleware rotated it. */
  token: string;
}

export type LatchkeyRequest = IncomingMessage & { latchkey?: LatchkeyRequestContext | null; latchkeyEnded?: SessionEnded };

export interface LatchkeyMiddlewareOptions {
  /** A client of your application's API key (createLatchkeyClient). */
  client: LatchkeyClient;
  /** The session cookie's name without prefix (default `latchkey_session`) and whether it is `__Host-`/Secure (default true). */
  cookieName?: string;
  secureCookie?: boolean;
  /** Also take the token from `Authorization: Bearer …` (default true). */
  bearer?: boolean;
  /**
   * true (default): a request without a live session is answered 401 with who ended it, when and
   * why. false: it goes on with `req.latchkey = null` and `req.latchkeyEnded` set.
   */
  required?: boolean;
  /** Replace the token on each request (refresh with rotation) and send the new cookie. Default false. */
  rotate?: boolean;
  /**
   * The end user's address and browser, forwarded to Latchkey (recorded with refused tokens, shown
   * by the debugger). Default: the socket's address and the User-Agent header; behind a proxy,
   * pass what your framework trusts (Express: `req.ip`).
   */
  clientInfo?: (request: IncomingMessage) => ClientInfo;
}

/** The end user's address and browser as this request shows them: for createSession too. */
export function clientInfoOf(request: IncomingMessage): ClientInfo {
  const info: ClientInfo = {};
  const address = request.socket.remoteAddress;
  if (address) info.ip = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
  const agent = request.headers["user-agent"];
  if (agent) info.userAgent = agent.slice(0, 2048);
  return info;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  response.end(JSON.stringify(body));
}

/**
 * Express/Connect middleware: resolves the session of each request through Latchkey. It takes
 * the token from the session cookie or a bearer header, puts `{ session, user, token }` on
 * `req.latchkey`, and answers 401 with `{ error: { code: "SESSION_ENDED", reason, revokedBy,
 * revokedAt, revokeNote, message } }` for a request without a live session (clearing the cookie).
 * When Latchkey cannot be reached it answers 503: a request is never let through unchecked.
 */
export function latchkeyMiddleware(options: LatchkeyMiddlewareOptions) {
  const cookie = { name: options.cookieName, secure: options.secureCookie };
  const name = sessionCookieName(cookie);
  const infoOf = options.clientInfo ?? clientInfoOf;

  function tokenOf(request: IncomingMessage): string | null {
    const fromCookie = readCookie(request.headers.cookie, name);
    if (fromCookie) return fromCookie;
    if (options.bearer === false) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
    return match ? match[1]! : null;
  }

  function refuse(request: LatchkeyRequest, response: ServerResponse, next: (error?: unknown) => void, ended: SessionEnded, hadCookie: boolean): void {
    request.latchkey = null;
    request.latchkeyEnded = ended;
    if (options.required === false) return next();
    send(response, 401, { error: { code: "SESSION_ENDED", ...ended } }, hadCookie ? { "set-cookie": clearSessionCookie(cookie) } : {});
  }

  return async function latchkey(request: LatchkeyRequest, response: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    const token = tokenOf(request);
    const hadCookie = readCookie(request.headers.cookie, name) !== null;
    if (!token) return refuse(request, response, next, sessionEnded(null), false);
    const client = infoOf(request);
    let current = token;
    let replaced: { token: string; expires: string } | null = null;
    let resolved: Awaited<ReturnType<LatchkeyClient["resolveSession"]>>;
    try {
      if (options.rotate) {
        try {
          const refreshed = await options.client.refreshSession(token, { ...client, rotate: true });
          if (refreshed.token) {
            current = refreshed.token;
            replaced = { token: refreshed.token, expires: refreshed.session.absoluteExpiresAt };
          }
        } catch (error) {
          // 401: the session has ended (resolve says who ended it, when and why); 409: a concurrent
          // request rotated it a moment ago, and the old token still resolves within the grace window.
          const ended = error instanceof LatchkeyApiError && (error.status === 401 || error.status === 409) && error.code !== "UNAUTHORIZED";
          if (!ended) throw error;
        }
      }
      resolved = await options.client.resolveSession(current, client);
    } catch (error) {
      // Latchkey unreachable, overloaded or refusing the API key: never a pass.
      const status = error instanceof LatchkeyApiError ? error.status : null;
      send(response, 503, { error: { code: "SESSION_SERVICE_UNAVAILABLE", message: "Sessions cannot be checked right now; try again shortly.", upstreamStatus: status } }, { "retry-after": "5" });
      return;
    }
    if (!resolved.authenticated || !resolved.session || !resolved.user) return refuse(request, response, next, sessionEnded(resolved), hadCookie);
    if (replaced) response.setHeader("set-cookie", sessionCookie(replaced.token, { ...cookie, expires: replaced.expires }));
    request.latchkey = { session: resolved.session, user: resolved.user, token: current };
    next();
  };
}
