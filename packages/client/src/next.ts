import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { ClientInfo, LatchkeyClient } from "./client";
import { sessionCookieName } from "./cookies";
import { sessionEnded, type SessionEnded } from "./ended";
import { sessionIdOfToken } from "./tokens";
import type { ResolveJson, SessionJson, UserJson } from "./types";

/** The request's session as a server component, route handler or server action sees it. */
export type LatchkeyServerSession =
  | { session: SessionJson; user: UserJson; token: string; ended: null }
  | { session: null; user: null; token: string | null; ended: SessionEnded };

export interface LatchkeyNextOptions {
  /** A client of your application's API key (createLatchkeyClient), used on the server only. */
  client: LatchkeyClient;
  /** The session cookie's name without prefix (default `latchkey_session`) and whether it is `__Host-`/Secure (default true). */
  cookieName?: string;
  secureCookie?: boolean;
  /**
   * The cookie's full name when another library sets it, used as is: next-auth's
   * `next-auth.session-token` (or `__Secure-next-auth.session-token` over https) with
   * @latchkey/authjs-adapter.
   */
  cookie?: string;
  /** Where requireLatchkeySession sends a request without a live session (default `/signin`). */
  signInPath?: string;
  /**
   * The end user's address and browser, forwarded to Latchkey. Default: the User-Agent header
   * only; behind a proxy you trust, read its forwarded address from `headers` here.
   */
  clientInfo?: (headers: Headers) => ClientInfo;
}

/** Latchkey could not be asked (unreachable, overloaded, the API key refused): never read as signed out, never as signed in. */
export class LatchkeyUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("Sessions cannot be checked right now; try again shortly.", options);
    this.name = "LatchkeyUnavailableError";
  }
}

const isResolveAnswer = (value: unknown): value is ResolveJson => typeof (value as ResolveJson | null)?.authenticated === "boolean";

/**
 * Next.js (App Router) helpers on the server, for server components, route handlers and server
 * actions alike:
 *
 * - `getLatchkeySession()` resolves the session in the request's cookie through Latchkey, once per
 *   request however many components ask, and says who ended it, when and why when it is not live;
 * - `requireLatchkeySession()` does the same and sends a request without a live session to sign in;
 * - `setSessionCookie()` and `clearSessionCookie()` (route handlers and server actions only, where
 *   Next.js lets a response set cookies) keep the cookie with safe defaults.
 *
 * Both throw LatchkeyUnavailableError when Latchkey cannot be asked: let it reach an error
 * boundary, rather than treating the person as signed out.
 */
export function createLatchkeyNext(options: LatchkeyNextOptions) {
  const secure = options.secureCookie !== false;
  const name = options.cookie ?? sessionCookieName({ name: options.cookieName, secure });
  const signInPath = options.signInPath ?? "/signin";

  const getLatchkeySession = cache(async (): Promise<LatchkeyServerSession> => {
    const token = (await cookies()).get(name)?.value ?? null;
    if (!token) return { session: null, user: null, token: null, ended: sessionEnded(null) };
    if (!sessionIdOfToken(token)) {
      return { session: null, user: null, token, ended: sessionEnded({ reason: "MALFORMED", revokedReason: null, revokedBy: null, revokedAt: null, revokeNote: null }) };
    }
    const requestHeaders = await headers();
    let client = options.clientInfo?.(requestHeaders);
    if (!client) {
      const agent = requestHeaders.get("user-agent");
      client = agent ? { userAgent: agent.slice(0, 2048) } : {};
    }
    let resolved: unknown;
    try {
      resolved = await options.client.resolveSession(token, client);
    } catch (error) {
      throw new LatchkeyUnavailableError({ cause: error });
    }
    if (!isResolveAnswer(resolved)) throw new LatchkeyUnavailableError({ cause: new Error("Latchkey's answer to resolve is not a verdict") });
    if (resolved.authenticated && resolved.session && resolved.user) return { session: resolved.session, user: resolved.user, token, ended: null };
    return { session: null, user: null, token, ended: sessionEnded(resolved) };
  });

  return {
    getLatchkeySession,

    /** The live session, or a redirect to sign in (`signInPath`). */
    async requireLatchkeySession(): Promise<Extract<LatchkeyServerSession, { ended: null }>> {
      const current = await getLatchkeySession();
      if (current.ended) redirect(signInPath);
      return current;
    },

    /** Puts a session token in the cookie (HttpOnly, SameSite=Lax, Secure and `__Host-` unless secureCookie is false). */
    async setSessionCookie(token: string, expires?: Date | string): Promise<void> {
      (await cookies()).set(name, token, { httpOnly: true, secure, sameSite: "lax", path: "/", ...(expires ? { expires: new Date(expires) } : {}) });
    },

    async clearSessionCookie(): Promise<void> {
      (await cookies()).set(name, "", { httpOnly: true, secure, sameSite: "lax", path: "/", expires: new Date(0) });
    },
  };
}
