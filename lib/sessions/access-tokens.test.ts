import { SignJWT, createLocalJWKSet, decodeProtectedHeader, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessTokenVerifier } from "@latchkey/client/verify";
import { createSigningKeyRepository } from "../db/signing-key-repository";
import { createTestDatabase, createTestEngine, type TestDatabase } from "../testing/database";
import { createAccessTokens } from "./access-tokens";

const ISSUER = "https://latchkey.test";
const MINUTE = 60_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function setup() {
  const { engine, clock } = createTestEngine(db, {}, new Date("2026-12-01T12:00:00Z"));
  const accessTokens = createAccessTokens({
    store: createSigningKeyRepository(db.database),
    clock,
    ttlSeconds: 300,
    rotationSeconds: 3600,
    issuer: ISSUER,
    secret: "a console secret of at least thirty-two characters",
  });
  /** A verifier over the key set published now, checking expiry at the test clock's time. */
  const verifier = async () => createAccessTokenVerifier({ issuer: ISSUER, audience: "default", keys: createLocalJWKSet(await accessTokens.jwks()), currentDate: () => clock.now() });
  /** What POST /api/v1/sessions/token does: check the session, then sign. */
  const exchange = async (token: string) => accessTokens.issue(await engine.validateSession(token));
  const issued = await engine.createSession({ userId: `at-${Date.now()}-${Math.random()}`, roles: ["editor"], tenantId: "acme" });
  return { engine, clock, accessTokens, verifier, exchange, issued };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, "expected the token to be refused").not.toBeNull();
  return (error as { code?: string }).code ?? String(error);
}

describe("signed access tokens", () => {
  it("a valid token carries the session, user, roles, tenant and kind, for five minutes", async () => {
    const { issued, exchange, verifier, clock } = await setup();
    const { accessToken, expiresAt, tokenType } = await exchange(issued.token);
    expect(tokenType).toBe("Bearer");
    expect(expiresAt.getTime() - clock.now().getTime()).toBe(5 * MINUTE);
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    const verified = await (await verifier())(accessToken);
    expect(verified).toMatchObject({ sessionId: issued.session.id, userId: issued.session.userId, roles: ["editor"], tenantId: "acme", kind: "user" });
  });

  it("refuses an expired token", async () => {
    const { issued, exchange, verifier, clock } = await setup();
    const { accessToken } = await exchange(issued.token);
    const verify = await verifier();
    clock.advance(5 * MINUTE - 1000);
    await expect(verify(accessToken)).resolves.toBeTruthy();
    clock.advance(2000);
    expect(await rejection(verify(accessToken))).toBe("ERR_JWT_EXPIRED");
  });

  it("refuses a tampered payload, a token signed by another key under a known kid, and an unknown kid", async () => {
    const { issued, exchange, verifier } = await setup();
    const { accessToken } = await exchange(issued.token);
    const verify = await verifier();
    const [header, payload, signature] = accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, roles: ["admin"] })).toString("base64url");
    expect(await rejection(verify(`${header}.${tampered}.${signature}`))).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");

    const { kid } = decodeProtectedHeader(accessToken);
    const intruder = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forge = (keyId: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", kid: keyId, typ: "at+jwt" }).sign(intruder.privateKey);
    expect(await rejection(verify(await forge(kid!)))).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    expect(await rejection(verify(await forge("no-such-key")))).toBe("ERR_JWKS_NO_MATCHING_KEY");
  });

  it("rotates keys: the old key keeps verifying its tokens until they expire, then leaves the key set", async () => {
    const { engine, exchange, verifier, clock, accessTokens } = await setup();
    // Two hours on, the key of the other tests has retired: the next token brings a fresh key.
    clock.advance(2 * 3600 * 1000);
    const first = await exchange((await engine.createSession({ userId: "rotation" })).token);
    const firstKid = decodeProtectedHeader(first.accessToken).kid;
    clock.advance(3600 * 1000 - 2 * MINUTE);
    const live = await engine.createSession({ userId: "rotation-live" });
    const beforeRotation = await exchange(live.token);
    expect(decodeProtectedHeader(beforeRotation.accessToken).kid).toBe(firstKid);
    clock.advance(3 * MINUTE); // past the first key's retirement
    const afterRotation = await exchange(live.token);
    const secondKid = decodeProtectedHeader(afterRotation.accessToken).kid;
    expect(secondKid).not.toBe(firstKid);
    const published = (await accessTokens.jwks()).keys.map((key) => key.kid);
    expect(published).toEqual(expect.arrayContaining([firstKid, secondKid]));
    const verify = await verifier();
    await expect(verify(beforeRotation.accessToken)).resolves.toMatchObject({ sessionId: live.session.id });
    await expect(verify(afterRotation.accessToken)).resolves.toMatchObject({ sessionId: live.session.id });
    clock.advance(10 * MINUTE); // every token of the first key has expired
    expect((await accessTokens.jwks()).keys.map((key) => key.kid)).not.toContain(firstKid);
  });

  it("a revoked session's token verifies until it expires (its lifetime is the bound); the exchange refuses at once", async () => {
    const { engine, issued, exchange, verifier, clock } = await setup();
    const { accessToken } = await exchange(issued.token);
    await engine.revokeSession(issued.session.id, { reason: "REVOKED" });
    const verify = await verifier();
    await expect(verify(accessToken)).resolves.toMatchObject({ sessionId: issued.session.id });
    expect(await rejection(exchange(issued.token))).toBe("SESSION_REVOKED");
    clock.advance(5 * MINUTE + 1000);
    expect(await rejection(verify(accessToken))).toBe("ERR_JWT_EXPIRED");
  });

  it("keeps private keys encrypted at rest", async () => {
    const { issued, exchange } = await setup();
    await exchange(issued.token);
    const rows = await db.database.prisma.signingKey.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.privateJwk).not.toContain('"d"');
      expect(() => JSON.parse(row.privateJwk) as unknown).toThrow();
      expect(JSON.parse(row.publicJwk)).not.toHaveProperty("d");
    }
  });
});
