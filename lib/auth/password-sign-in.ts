import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { getLatchkey } from "../server/latchkey";
import { verifyPassword } from "./passwords";

export const credentialsSchema = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
});

// A real hash to compare against when the email is unknown, so that the response time does not
// tell which emails have accounts.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export type PasswordSignIn =
  | { ok: true; token: string; account: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "INVALID" }
  | { ok: false; reason: "RATE_LIMITED"; retryAfter: number };

export type PasswordCheck = { ok: true } | { ok: false; reason: "INVALID" } | { ok: false; reason: "RATE_LIMITED"; retryAfter: number };

/**
 * Checks a console account's password under the sign-in limits (lib/server/limits.ts): the
 * attempt counts before the password is checked, an address that guessed too often is refused
 * without a check (even with the right password), and an account guessed at from many addresses
 * is slowed. Sign-in, a password entered again and the current password of a change all go
 * through here. `passwordHash` null (no such account) is checked against a dummy hash.
 */
export async function checkPassword(email: string, ip: string | null, password: string, passwordHash: string | null): Promise<PasswordCheck> {
  const { limits } = getLatchkey();
  const account = email.toLowerCase();
  const { retryAfter, delayMs } = await limits.signIn.attempt(account, ip);
  if (retryAfter > 0) return { ok: false, reason: "RATE_LIMITED", retryAfter };
  if (delayMs > 0) await sleep(delayMs);
  const valid = await verifyPassword(password, passwordHash ?? DUMMY_HASH);
  if (!valid || !passwordHash) return { ok: false, reason: "INVALID" };
  await limits.signIn.succeeded(account, ip);
  return { ok: true };
}

/**
 * Checks a console account's email and password and starts a Latchkey session for it: the
 * console's sign-in and the command line's share this, and its limits.
 */
export async function signInWithPassword(
  credentials: unknown,
  client: { ip: string | null; userAgent: string | null; via: "console" | "cli" },
): Promise<PasswordSignIn> {
  const input = credentialsSchema.safeParse(credentials);
  if (!input.success) return { ok: false, reason: "INVALID" };
  const { users, console: engine } = getLatchkey();
  const account = await users.findCredentials(input.data.email);
  const checked = await checkPassword(input.data.email, client.ip, input.data.password, account?.passwordHash ?? null);
  if (!checked.ok) return checked;
  if (!account || account.disabledAt) return { ok: false, reason: "INVALID" };
  const { token } = await engine.createSession(
    { userId: account.id, kind: "user", userAgent: client.userAgent, ip: client.ip, metadata: { via: client.via } },
    { type: "user", id: account.id, label: account.email },
  );
  return { ok: true, token, account: { id: account.id, email: account.email, name: account.name } };
}
