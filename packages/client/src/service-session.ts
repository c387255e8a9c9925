/**
 * A service session in one environment variable, for CLIs, CI jobs and agents:
 * `LATCHKEY_SESSION=<token>@<Latchkey's URL>`. The token is the session's (lks_…); the URL says
 * which Latchkey resolves it. Treat the whole value as a secret.
 */
export function encodeServiceSession(token: string, url: string): string {
  return `${token}@${new URL(url).origin}`;
}

/** Reads LATCHKEY_SESSION (or `value`); throws an Error saying what is wrong with it. */
export function readServiceSession(value: string | undefined = typeof process === "undefined" ? undefined : process.env.LATCHKEY_SESSION): {
  token: string;
  url: string;
} {
  if (!value) throw new Error("LATCHKEY_SESSION is not set.");
  const at = value.indexOf("@");
  const token = value.slice(0, at);
  if (at < 0 || !/^lks_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/.test(token)) {
    throw new Error("LATCHKEY_SESSION must be a session token, an @ and Latchkey's URL (lks_…@https://latchkey.example.com).");
  }
  try {
    return { token, url: new URL(value.slice(at + 1)).origin };
  } catch {
    throw new Error("LATCHKEY_SESSION names no valid URL after the @.");
  }
}
