import { isLatchkeyApiError, type ClientInfo, type LatchkeyClient } from "./client";
import { clearSessionCookie, readCookie, sessionCookie, sessionCookieName } from "./cookies";
import { sessionEnded, type SessionEnded } from "./ended";
import { sessionIdOfToken } from "./tokens";
import { createAccessTokenVerifier, type AccessTokenVerifierOptions, type VerifiedAccessToken } from "./verify";

/** What an edge check found: a live session (as of its access token), or why not. */
export type EdgeSessionCheck =
  | { ok: true; access: VerifiedAccessToken; setCookies: string[] }
  | { ok: false; ended: SessionEnded; unavailable: false; setCookies: string[] }
  | { ok: false; ended: null; unavailable: true; setCookies: string[] };

export interface EdgeSessionCheckOptions {
  /** How to check access tokens: Latchkey's issuer, your application's id, its JWKS URL. */
  verifier: AccessTokenVerifierOptions;
  /** A client of your application's API key, to trade the session token for a new access token. */
  client: LatchkeyClient;
  /** The session cookie (as sessionCookie sets it) and the access-token cookie; default `latchkey_session` and `latchkey_access`. */
  cookieName?: string;
  accessCookieName?: string;
  /** `__Host-` and Secure (default true; false only on plain-http localhost). */
  secureCookie?: boolean;
  /** The end user's address and browser, forwarded to Latchkey (default: the User-Agent header only). */
  clientInfo?: (request: Request) => ClientInfo;
}

/** Set-Cookie values that remove both cookies of the edge check: send them at sign-out. */
export function clearEdgeCookies(options: Pick<EdgeSessionCheckOptions, "cookieName" | "accessCookieName" | "secureCookie"> = {}): string[] {
  return [
    clearSessionCookie({ name: options.cookieName, secure: options.secureCookie }),
    clearSessionCookie({ name: options.accessCookieName ?? "latchkey_access", secure: options.secureCookie }),
  ];
}

/**
 * For edge middleware (Next.js `middleware.ts` and other runtimes with fetch and Web Crypto): a
 * request passes on a signed access token in its cookie, for the session in its session cookie,
 * checked with no call to Latchkey; when
 * that is missing or expired, the session token is traded for a new one (a call to Latchkey, which
 * refuses an ended session at once), returned in `setCookies`. An access token keeps passing until
 * it expires (LATCHKEY_ACCESS_TOKEN_TTL, 5 minutes by default) even if its session was revoked
 * meanwhile: resolve on the server where that matters. `unavailable`: Latchkey could not be asked
 * (answer 503, never a pass).
 */
export function createEdgeSessionCheck(options: EdgeSessionCheckOptions) {
  const verify = createAccessTokenVerifier(options.verifier);
  const secure = options.secureCookie;
  const sessionName = sessionCookieName({ name: options.cookieName, secure });
  const accessCookie = { name: options.accessCookieName ?? "latchkey_access", secure };
  const accessName = sessionCookieName(accessCookie);

  return async function checkSession(request: Request): Promise<EdgeSessionCheck> {
    const cookies = request.headers.get("cookie");
    const token = readCookie(cookies, sessionName);
    const sessionId = token ? sessionIdOfToken(token) : null;
    if (!token || !sessionId) {
      const ended = sessionEnded(token ? { reason: "MALFORMED", revokedReason: null, revokedBy: null, revokedAt: null, revokeNote: null } : null);
      return { ok: false, ended, unavailable: false, setCookies: token ? clearEdgeCookies(options) : [] };
    }
    // An access token counts only for the session in the session cookie (not one left behind by
    // a previous sign-in on this browser).
    const access = readCookie(cookies, accessName);
    if (access) {
      try {
        const verified = await verify(access);
        if (verified.sessionId === sessionId) return { ok: true, access: verified, setCookies: [] };
      } catch {
        // Expired, or not ours: trade the session token for a new one below.
      }
    }
    const client = options.clientInfo?.(request) ?? {};
    if (!options.clientInfo) {
      const agent = request.headers.get("user-agent");
      if (agent) client.userAgent = agent.slice(0, 2048);
    }
    try {
      const minted = await options.client.exchangeSession(token, client);
      const verified = await verify(minted.accessToken);
      return { ok: true, access: verified, setCookies: [sessionCookie(minted.accessToken, { ...accessCookie, expires: minted.expiresAt })] };
    } catch (error) {
      const refused = isLatchkeyApiError(error) && error.status === 401 && error.code !== "UNAUTHORIZED";
      if (!refused) return { ok: false, ended: null, unavailable: true, setCookies: [] };
    }
    // The session has ended: resolve says who ended it, when and why.
    try {
      const resolved = await options.client.resolveSession(token, client);
      if (resolved.authenticated !== false) return { ok: false, ended: null, unavailable: true, setCookies: [] };
      return { ok: false, ended: sessionEnded(resolved), unavailable: false, setCookies: clearEdgeCookies(options) };
    } catch {
      return { ok: false, ended: null, unavailable: true, setCookies: [] };
    }
  };
}
