import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "./env";

describe("loadEnv", () => {
  it("defaults to the SQLite file under data/ and the engine's default timeouts", () => {
    const env = loadEnv({ NODE_ENV: "test" });
    expect(env.databaseUrl).toBe("file:./data/latchkey.db");
    expect(env.session.idleTimeoutSeconds).toBe(1800);
    expect(env.session.absoluteTimeoutSeconds).toBe(30 * 86_400);
  });

  it("sweeps in batches of 100 on SQLite and 5,000 on PostgreSQL", () => {
    expect(loadEnv({ NODE_ENV: "test" }).session.sweepBatchSize).toBe(100);
    expect(loadEnv({ NODE_ENV: "test", DATABASE_URL: "postgresql://latchkey@db:5432/latchkey" }).session.sweepBatchSize).toBe(5_000);
  });

  it("reads durations in s, m, h, d or plain seconds", () => {
    const env = loadEnv({ NODE_ENV: "test", LATCHKEY_IDLE_TIMEOUT: "15m", LATCHKEY_ABSOLUTE_TIMEOUT: "12h", LATCHKEY_RETENTION: "86400" });
    expect(env.session).toMatchObject({ idleTimeoutSeconds: 900, absoluteTimeoutSeconds: 43_200, retentionSeconds: 86_400 });
  });

  it("keeps refusals 7 days unless told otherwise; off turns the refusal log off", () => {
    expect(loadEnv({ NODE_ENV: "test" }).refusalRetentionSeconds).toBe(7 * 86_400);
    expect(loadEnv({ NODE_ENV: "test", LATCHKEY_REFUSAL_LOG: "24h" }).refusalRetentionSeconds).toBe(86_400);
    expect(loadEnv({ NODE_ENV: "test", LATCHKEY_REFUSAL_LOG: "off" }).refusalRetentionSeconds).toBeNull();
  });

  it("signs access tokens for 5 minutes with keys rotated every 30 days, issued as NEXTAUTH_URL", () => {
    expect(loadEnv({ NODE_ENV: "test", NEXTAUTH_URL: "https://latchkey.example.com" })).toMatchObject({
      accessTokenTtlSeconds: 300,
      signingKeyRotationSeconds: 30 * 86_400,
      issuer: "https://latchkey.example.com",
    });
    expect(loadEnv({ NODE_ENV: "test", LATCHKEY_ACCESS_TOKEN_TTL: "1m", LATCHKEY_ISSUER: "acme" })).toMatchObject({ accessTokenTtlSeconds: 60, issuer: "acme" });
  });

  it("has no metrics endpoint unless a token is set, and logs at info unless told otherwise", () => {
    expect(loadEnv({ NODE_ENV: "test" })).toMatchObject({ metricsToken: null, logLevel: "info" });
    expect(loadEnv({ NODE_ENV: "test", LATCHKEY_METRICS_TOKEN: "s3cret-scrape-token-0123", LATCHKEY_LOG_LEVEL: "WARN" })).toMatchObject({
      metricsToken: "s3cret-scrape-token-0123",
      logLevel: "warn",
    });
  });

  it.each([
    [{ LATCHKEY_METRICS_TOKEN: "short" }, /LATCHKEY_METRICS_TOKEN must be at least 16 printable characters/],
    [{ LATCHKEY_METRICS_TOKEN: "sixteen chars with spaces" }, /LATCHKEY_METRICS_TOKEN must be at least 16 printable characters without spaces/],
    [{ LATCHKEY_LOG_LEVEL: "verbose" }, /LATCHKEY_LOG_LEVEL="verbose" must be one of fatal, error, warn, info, debug, trace, silent/],
  ])("refuses %o", (variables, message) => {
    expect(() => loadEnv({ NODE_ENV: "test", ...variables })).toThrow(message);
  });

  it.each([
    [{ LATCHKEY_ACCESS_TOKEN_TTL: "2h" }, /LATCHKEY_ACCESS_TOKEN_TTL="2h" must be a duration from 10s to 3600s/],
    [{ LATCHKEY_SIGNING_KEY_ROTATION: "never" }, /LATCHKEY_SIGNING_KEY_ROTATION="never" must be a duration/],
    [{ LATCHKEY_REFUSAL_LOG: "forever" }, /LATCHKEY_REFUSAL_LOG="forever" must be how long to keep refusals/],
    [{ LATCHKEY_REFUSAL_LOG: "5s" }, /LATCHKEY_REFUSAL_LOG="5s" must be how long to keep refusals, at least 60s/],
    [{ LATCHKEY_IDLE_TIMEOUT: "0" }, /idleTimeoutSeconds must be between 1/],
    [{ LATCHKEY_IDLE_TIMEOUT: "-5m" }, /LATCHKEY_IDLE_TIMEOUT="-5m" is not a duration/],
    [{ LATCHKEY_IDLE_TIMEOUT: "soon" }, /LATCHKEY_IDLE_TIMEOUT="soon" is not a duration/],
    [{ LATCHKEY_IDLE_TIMEOUT: "2d", LATCHKEY_ABSOLUTE_TIMEOUT: "1d" }, /must not exceed absoluteTimeoutSeconds/],
    [{ DATABASE_URL: "file::memory:" }, /in-memory SQLite/],
    [{ LATCHKEY_ADMIN_PASSWORD: "short" }, /LATCHKEY_ADMIN_PASSWORD must be at least 12/],
    [{ LATCHKEY_ADMIN_EMAIL: "not-an-email" }, /LATCHKEY_ADMIN_EMAIL is not an email/],
    [{ NEXTAUTH_SECRET: "tiny" }, /NEXTAUTH_SECRET must be at least 32/],
  ])("refuses %j with a message naming the problem", (vars, message) => {
    expect(() => loadEnv({ NODE_ENV: "test", ...vars })).toThrow(EnvError);
    expect(() => loadEnv({ NODE_ENV: "test", ...vars })).toThrow(message);
  });
});
