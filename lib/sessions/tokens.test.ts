import { describe, expect, it } from "vitest";
import { hashSecret, issueToken, parseToken, secretMatches, TOKEN_PREFIX } from "./tokens";

describe("tokens", () => {
  it("100,000 issued tokens are unique, with 128-bit ids and 256-bit secrets", () => {
    const tokens = new Set<string>();
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const { token, id } = issueToken("session");
      tokens.add(token);
      ids.add(id);
    }
    expect(tokens.size).toBe(100_000);
    expect(ids.size).toBe(100_000);
    const sample = issueToken("session");
    const parsed = parseToken("session", sample.token);
    expect(Buffer.from(parsed!.id, "base64url")).toHaveLength(16);
    expect(Buffer.from(parsed!.secret, "base64url")).toHaveLength(32);
  });

  it("stores only the hash, which matches the secret and nothing else", () => {
    const { token, secretHash } = issueToken("session");
    const parsed = parseToken("session", token)!;
    expect(secretHash).not.toContain(parsed.secret);
    expect(secretHash).toBe(hashSecret(parsed.secret));
    expect(secretMatches(parsed.secret, secretHash)).toBe(true);
    expect(secretMatches(`${parsed.secret.slice(0, -1)}A`, secretHash)).toBe(parsed.secret.endsWith("A"));
  });

  it("comparison never throws on unequal lengths or garbage hashes", () => {
    expect(secretMatches("x", "")).toBe(false);
    expect(secretMatches("x", "short")).toBe(false);
    expect(secretMatches("", hashSecret("y"))).toBe(false);
    expect(secretMatches("x".repeat(10_000), hashSecret("x"))).toBe(false);
  });

  it("refuses tokens of another kind and anything malformed", () => {
    const session = issueToken("session").token;
    const state = issueToken("oauthState").token;
    expect(parseToken("session", session)).not.toBeNull();
    expect(parseToken("oauthState", session)).toBeNull();
    expect(parseToken("session", state)).toBeNull();
    const body = session.slice(TOKEN_PREFIX.session.length);
    for (const bad of [
      undefined,
      42,
      {},
      "",
      body,
      `${session}x`,
      session.replace(".", ""),
      session.replace(".", ".."),
      `${session} `,
      `lks_${"é".repeat(22)}.${"a".repeat(43)}`,
      "x".repeat(10_000),
    ]) {
      expect(parseToken("session", bad), String(bad)).toBeNull();
    }
  });
});
