/** A Latchkey session token: `lks_`, the session's id (22 characters), a dot, its secret (43). */
const SESSION_TOKEN = /^lks_([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/;

/** The session id inside a well-formed session token, or null for anything else (checked without Latchkey). */
export function sessionIdOfToken(token: string): string | null {
  return SESSION_TOKEN.exec(token)?.[1] ?? null;
}
