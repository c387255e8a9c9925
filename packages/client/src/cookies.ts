/**
 * The session cookie an application keeps its Latchkey token in, with safe defaults: HttpOnly
 * (no script reads it), SameSite=Lax, and over https Secure with the `__Host-` prefix (this host
 * only, path /).
 */

export interface SessionCookieOptions {
  /** The name without prefix; default `latchkey_session`. */
  name?: string;
  /** Secure and `__Host-`: true unless the app is served over plain http (local development). */
  secure?: boolean;
  /** When the browser should drop it: the session's absolute expiry, usually. */
  expires?: Date | string;
  sameSite?: "Lax" | "Strict";
}

export const DEFAULT_COOKIE_NAME = "latchkey_session";

/** The cookie's full name: `__Host-latchkey_session` when secure. */
export function sessionCookieName(options: Pick<SessionCookieOptions, "name" | "secure"> = {}): string {
  const name = options.name ?? DEFAULT_COOKIE_NAME;
  return options.secure === false ? name : `__Host-${name}`;
}

/** A Set-Cookie value carrying `token`. */
export function sessionCookie(token: string, options: SessionCookieOptions = {}): string {
  const parts = [`${sessionCookieName(options)}=${encodeURIComponent(token)}`, "Path=/", "HttpOnly", `SameSite=${options.sameSite ?? "Lax"}`];
  if (options.secure !== false) parts.push("Secure");
  if (options.expires) parts.push(`Expires=${new Date(options.expires).toUTCString()}`);
  return parts.join("; ");
}

/** A Set-Cookie value that removes the session cookie. */
export function clearSessionCookie(options: Omit<SessionCookieOptions, "expires"> = {}): string {
  return sessionCookie("", { ...options, expires: new Date(0) });
}

/** The value of cookie `name` in a Cookie header, or null. */
export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const pair of header.split(";")) {
    const separator = pair.indexOf("=");
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue;
    const value = pair.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}
