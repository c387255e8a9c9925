import { describe, expect, it } from "vitest";
import { DEFAULT_SESSION_CONFIG, resolveSessionConfig } from "./config";
import { ErrorCode, SessionError } from "./errors";

describe("resolveSessionConfig", () => {
  it("defaults: 30 minutes idle, 30 days absolute, 10 minutes OAuth state, 7 days retention", () => {
    expect(resolveSessionConfig()).toEqual(DEFAULT_SESSION_CONFIG);
    expect(DEFAULT_SESSION_CONFIG).toMatchObject({
      idleTimeoutSeconds: 1800,
      absoluteTimeoutSeconds: 2_592_000,
      oauthStateTtlSeconds: 600,
      retentionSeconds: 604_800,
    });
  });

  it.each([
    [{ idleTimeoutSeconds: 0 }, /idleTimeoutSeconds must be between 1/],
    [{ idleTimeoutSeconds: -5 }, /idleTimeoutSeconds must be between 1/],
    [{ idleTimeoutSeconds: Number.NaN }, /idleTimeoutSeconds must be a whole number/],
    [{ idleTimeoutSeconds: "30m" }, /idleTimeoutSeconds must be a whole number/],
    [{ idleTimeoutSeconds: 7200, absoluteTimeoutSeconds: 3600 }, /must not exceed absoluteTimeoutSeconds/],
    [{ touchIntervalSeconds: 1800 }, /touchIntervalSeconds \(1800\) must be shorter/],
    [{ oauthStateTtlSeconds: 10 ** 9 }, /oauthStateTtlSeconds must be between/],
  ])("refuses %j with a clear message", (overrides, message) => {
    let error: unknown;
    try {
      resolveSessionConfig(overrides);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).code).toBe(ErrorCode.CONFIG_INVALID);
    expect((error as SessionError).message).toMatch(message);
  });
});
