import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { isLatchkeyApiError, type ClientInfo, type LatchkeyClient } from "./client";
import { clearSessionCookie, readCookie, sessionCookie, sessionCookieName } from "./cookies";
import { sessionEnded, type SessionEnded } from "./ended";
import { sessionIdOfToken } from "./tokens";
import type { ResolveJson, SessionJson, UserJson } from "./types";

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
  /**
   * Give a session's cookie a new token once its current one is this many seconds old (a
   * rotation; default: never). Only tokens from the cookie are rotated: a bearer client would not
   * see the new one. A request sent with the old token more than the application's rotation grace
   * after the new one was handed out ends the session as a theft, so keep this to minutes.
   */
  rotateAfterSeconds?: number;
  /**
   * The end user's address and browser, forwarded to Latchkey (recorded with refused tokens, shown
   * by the debugger). Default: the socket's address and the User-Agent header; behind a proxy,
   * pass what your framework trusts (Express: `req.ip`).
   */
  clientInfo?: (request: IncomingMessage) => ClientInfo;
  /** Called when Latchkey could not be asked (the request is answered 503); default: console.error. */
  onUnavailable?: (error: unknown) => void;
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

/** What Latchkey accepts of it: an address it would refuse (a zone id, a port) is left out. */
function acceptable(info: ClientInfo): ClientInfo {
  const accepted: ClientInfo = {};
  if (info.ip && isIP(info.ip)) accepted.ip = info.ip;
  if (info.userAgent) accepted.userAgent = info.userAgent.slice(0, 2048);
  return accepted;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.writableEnded) return;
  for (const [name, value] of Object.entries({ "content-type": "application/json", "cache-control": "no-store", ...headers })) {
    if (name === "set-cookie") response.appendHeader(name, value);
    else response.setHeader(name, value);
  }
  response.statusCode = status;
  response.end(JSON.stringify(body));
}

const isResolveAnswer = (value: unknown): value is ResolveJson => typeof (value as ResolveJson | null)?.authenticated === "boolean";

/**
 * Express/Connect middleware: resolves the session of each request through Latchkey. It takes
 * the token from the session cookie or a bearer header, puts `{ session, user, token }` on
 * `req.latchkey`, and answers 401 with `{ error: { code: "SESSION_ENDED", reason, revokedBy,
 * revokedAt, revokeNote, message } }` for a request without a live session (clearing the cookie).
 * When Latchkey cannot be reached, or answers in a way that is not a verdict, it answers 503: a
 * request is never let through unchecked.
 */
export function latchkeyMiddleware(options: LatchkeyMiddlewareOptions) {
  const cookie = { name: options.cookieName, secure: options.secureCookie };
  const name = sessionCookieName(cookie);
  const infoOf = options.clientInfo ?? clientInfoOf;
  const onUnavailable = options.onUnavailable ?? ((error: unknown) => console.error("latchkey middleware: sessions could not be checked", error));

  function refuse(request: LatchkeyRequest, response: ServerResponse, next: (error?: unknown) => void, ended: SessionEnded, hadCookie: boolean): void {
    request.latchkey = null;
    request.latchkeyEnded = ended;
    if (options.required === false) {
      // The dead cookie goes, or every later request would ask Latchkey about it again.
      if (hadCookie) response.appendHeader("set-cookie", clearSessionCookie(cookie));
      return next();
    }
    send(response, 401, { error: { code: "SESSION_ENDED", ...ended } }, hadCookie ? { "set-cookie": clearSessionCookie(cookie) } : {});
  }

  return async function latchkey(request: LatchkeyRequest, response: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    const fromCookie = readCookie(request.headers.cookie, name);
    const bearer = options.bearer === false ? null : (/^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? null);
    const token = fromCookie ?? bearer;
    if (!token) return refuse(request, response, next, sessionEnded(null), false);
    // A token that is not even shaped like one is refused here: no call to Latchkey, nothing to count against the key.
    if (!sessionIdOfToken(token)) {
      return refuse(request, response, next, sessionEnded({ reason: "MALFORMED", revokedReason: null, revokedBy: null, revokedAt: null, revokeNote: null }), fromCookie !== null);
    }
    let context: LatchkeyRequestContext;
    let rotatedCookie: string | null = null;
    try {
      const client = acceptable(infoOf(request));
      const resolved: unknown = await options.client.resolveSession(token, client);
      if (!isResolveAnswer(resolved)) throw new Error("Latchkey's answer to resolve is not a verdict");
      if (!resolved.authenticated || !resolved.session || !resolved.user) return refuse(request, response, next, sessionEnded(resolved), fromCookie !== null);
      context = { session: resolved.session, user: resolved.user, token };
      const age = (Date.now() - Date.parse(resolved.session.createdAt)) / 1000;
      if (fromCookie !== null && token === fromCookie && options.rotateAfterSeconds !== undefined && age >= options.rotateAfterSeconds) {
        try {
          const refreshed = await options.client.refreshSession(token, { ...client, rotate: true });
          if (refreshed.token) {
            rotatedCookie = sessionCookie(refreshed.token, { ...cookie, expires: refreshed.session.absoluteExpiresAt });
            context = { ...context, session: refreshed.session, token: refreshed.token };
          }
        } catch (error) {
          // The session was live a moment ago: a rotation that did not happen (a concurrent
          // request rotated it first, or Latchkey is busy) leaves the request on its current token.
          if (!isLatchkeyApiError(error)) throw error;
        }
      }
    } catch (error) {
      // Latchkey unreachable, overloaded, refusing the API key, or answering nonsense: never a pass.
      onUnavailable(error);
      send(response, 503, { error: { code: "SESSION_SERVICE_UNAVAILABLE", message: "Sessions cannot be checked right now; try again shortly." } }, { "retry-after": "5" });
      return;
    }
    if (rotatedCookie) {
      response.appendHeader("set-cookie", rotatedCookie);
      response.setHeader("cache-control", "private, no-store");
    }
    request.latchkey = context;
    next();
  };
}
