// One Better Auth instance for the benchmark: its own SQLite file (BETTER_AUTH_DATABASE), email
// and password sign-up (to get a real session cookie), no rate limit (it would refuse a load
// test), and the cookie cache on when BETTER_AUTH_COOKIE_CACHE=1.
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";

export const auth = betterAuth({
  database: new Database(process.env.BETTER_AUTH_DATABASE ?? process.argv[2]),
  secret: "benchmark-secret-benchmark-secret-benchmark",
  baseURL: process.env.BETTER_AUTH_URL ?? "http://localhost",
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  logger: { disabled: true },
  session: { cookieCache: { enabled: process.env.BETTER_AUTH_COOKIE_CACHE === "1", maxAge: 3600 } },
});
