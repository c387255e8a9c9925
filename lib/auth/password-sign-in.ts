import { z } from "zod";
import { createRateLimiter } from "../api/rate-limit";
import { getLatchkey } from "../server/latchkey";
import { verifyPassword } from "./passwords";

export const credentialsSchema = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
});

// A real hash to compare against when the email is unknown, so that the response time does not
// tell which emails have accounts.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** Failed sign-ins allowed per account per 15 minutes, and per client address per minute. */
export const SIGN_IN_LIMITS = { perAccount: 10, perAccountWindowMs: 15 * 60_000, perAddress: 30, perAddressWindowMs: 60_000 };
const accountFailures = createRateLimiter({ limit: SIGN_IN_LIMITS.perAccount, windowMs: SIGN_IN_LIMITS.perAccountWindowMs });
const addressFailures = createRateLimiter({ limit: SIGN_IN_LIMITS.perAddress, windowMs: SIGN_IN_LIMITS.perAddressWindowMs });

export type PasswordSignIn =
  | { ok: true; token: string; account: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "INVALID" | "RATE_LIMITED" };

/**
 * Checks a console account's email and password and starts a Latchkey session for it: the
 * console's sign-in and the command line's share this, and its limits. A flood of guesses for
 * one account or from one address is refused before any password is checked, even a right one.
 */
export async function signInWithPassword(
  credentials: unknown,
  client: { ip: string | null; userAgent: string | null; via: "console" | "cli" },
): Promise<PasswordSignIn> {
  const input = credentialsSchema.safeParse(credentials);
  if (!input.success) return { ok: false, reason: "INVALID" };
  const now = Date.now();
  const accountKey = input.data.email.toLowerCase();
  // Without a known address every client would share one counter: only accounts count then.
  const addressKey = client.ip;
  if (accountFailures.retryAfter(accountKey, now) > 0 || (addressKey && addressFailures.retryAfter(addressKey, now) > 0)) {
    return { ok: false, reason: "RATE_LIMITED" };
  }
  const { users, console: engine } = getLatchkey();
  const account = await users.findCredentials(input.data.email);
  const valid = await verifyPassword(input.data.password, account?.passwordHash ?? DUMMY_HASH);
  if (!account || !valid || account.disabledAt) {
    accountFailures.recordFailure(accountKey, now);
    if (addressKey) addressFailures.recordFailure(addressKey, now);
    return { ok: false, reason: "INVALID" };
  }
  const { token } = await engine.createSession(
    { userId: account.id, kind: "user", userAgent: client.userAgent, ip: client.ip, metadata: { via: client.via } },
    { type: "user", id: account.id, label: account.email },
  );
  return { ok: true, token, account: { id: account.id, email: account.email, name: account.name } };
}
