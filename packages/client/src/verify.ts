import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";

/** What a verified access token says: a live session as of when it was signed. */
export interface VerifiedAccessToken {
  sessionId: string;
  /** The application the session belongs to (the token's audience). */
  appId: string;
  userId: string;
  roles: string[];
  tenantId: string | null;
  kind: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface AccessTokenVerifierOptions {
  /** The issuer Latchkey signs with (LATCHKEY_ISSUER). */
  issuer: string;
  /**
   * Your application's id in Latchkey: a token minted for a session of another application is
   * refused (its `aud` is that application's id).
   */
  audience: string;
  /** Latchkey's key set, `https://latchkey.example.com/.well-known/jwks.json`, fetched and cached... */
  jwksUrl?: string | URL;
  /** ...or the keys from somewhere else (a JWK Set given to jose's createLocalJWKSet). */
  keys?: JWTVerifyGetKey;
  /** For tests: the time to check expiry against. */
  currentDate?: () => Date;
}

/**
 * Checks Latchkey access tokens with no database and no Node-only API: usable in Next.js
 * middleware and other edge code. A token of a session revoked after it was signed still
 * verifies until it expires (LATCHKEY_ACCESS_TOKEN_TTL, 5 minutes by default); call the API's
 * resolve where that matters. Throws jose's errors (JWTExpired, JWSSignatureVerificationFailed,
 * JWKSNoMatchingKey, JWTClaimValidationFailed — also for another application's token) for a
 * token that does not verify.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions) {
  const keys = options.keys ?? (options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : null);
  if (!keys) throw new Error("createAccessTokenVerifier needs jwksUrl or keys");
  return async function verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ["EdDSA"],
      typ: "at+jwt",
      requiredClaims: ["sub", "sid", "aud", "exp", "iat"],
      currentDate: options.currentDate?.(),
    });
    return {
      sessionId: String(payload.sid),
      appId: options.audience,
      userId: payload.sub!,
      roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
      tenantId: typeof payload.tenant === "string" ? payload.tenant : null,
      kind: String(payload.kind),
      issuedAt: new Date(payload.iat! * 1000),
      expiresAt: new Date(payload.exp! * 1000),
    };
  };
}
