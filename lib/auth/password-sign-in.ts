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

/**
 * Checks a console account's email and password and starts a Latchkey session for it: the
 * console's sign-in and the command line's share this, and its limits (lib/server/limits.ts).
 * An address that guessed too often for an account, or too often at all, is refused before any
 * password is checked, even a right one; an account guessed at from many addresses is slowed.
 */
export async function signInWithPassword(
  credentials: unknown,
  client: { ip: string | null; userAgent: string | null; via: "console" | "cli" },
): Promise<PasswordSignIn> {
  const input = credentialsSchema.safeParse(credentials);
  if (!input.success) return { ok: false, reason: "INVALID" };
  const { users, console: engine, limits } = getLatchkey();
  const email = input.data.email.toLowerCase();
  const { retryAfter, delayMs } = await limits.signIn.check(email, client.ip);
  if (retryAfter > 0) return { ok: false, reason: "RATE_LIMITED", retryAfter };
  if (delayMs > 0) await sleep(delayMs);
  const account = await users.findCredentials(input.data.email);
  const valid = await verifyPassword(input.data.password, account?.passwordHash ?? DUMMY_HASH);
  if (!account || !valid || account.disabledAt) {
    await limits.signIn.failed(email, client.ip);
    return { ok: false, reason: "INVALID" };
  }
  await limits.signIn.succeeded(email, client.ip);
  const { token } = await engine.createSession(
    { userId: account.id, kind: "user", userAgent: client.userAgent, ip: client.ip, metadata: { via: client.via } },
    { type: "user", id: account.id, label: account.email },
  );
  return { ok: true, token, account: { id: account.id, email: account.email, name: account.name } };
}
