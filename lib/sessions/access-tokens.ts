import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Clock } from "./clock";
import { generateId } from "./tokens";
import type { AuthContext } from "./engine";

/** A stored signing key; `privateJwk` is the encrypted private half. */
export interface SigningKeyRecord {
  id: string;
  algorithm: string;
  publicJwk: string;
  privateJwk: string;
  createdAt: Date;
  retiresAt: Date;
  expiresAt: Date;
}

export interface SigningKeyStore {
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /** Keys still published at `now` (expiresAt after it), newest first. */
  listSigningKeys(now: Date): Promise<SigningKeyRecord[]>;
}

export interface AccessTokenOptions {
  store: SigningKeyStore;
  clock: Clock;
  /** Lifetime of an access token: the bound on how long a revoked session's token still verifies. */
  ttlSeconds: number;
  /** A key signs for this long, then a new one takes over. */
  rotationSeconds: number;
  /** The `iss` claim, and what verifiers expect. */
  issuer: string;
  /** Encrypts private keys at rest (the console secret; the same on every instance). */
  secret: string;
}

/** The claims of an access token, beyond iss, sub, iat, exp and jti. */
export interface AccessTokenClaims {
  sid: string;
  roles: string[];
  tenant: string | null;
  kind: string;
}

export const ACCESS_TOKEN_TYPE = "at+jwt";
const ALGORITHM = "EdDSA";

/** AES-256-GCM under a key derived from the secret and what it seals: iv.tag.ciphertext, base64url. */
export function sealer(secret: string, purpose = "latchkey signing keys") {
  const key = createHash("sha256").update(`${purpose}\0${secret}`).digest();
  return {
    seal(text: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return [iv, cipher.getAuthTag(), body].map((part) => part.toString("base64url")).join(".");
    },
    open(sealed: string): string {
      const [iv, tag, body] = sealed.split(".").map((part) => Buffer.from(part, "base64url"));
      const decipher = createDecipheriv("aes-256-gcm", key, iv!);
      decipher.setAuthTag(tag!);
      return Buffer.concat([decipher.update(body!), decipher.final()]).toString("utf8");
    },
  };
}

/**
 * Short-lived signed access tokens (JWT, EdDSA over Ed25519) for checking a session without a
 * database round trip, and the JWKS that verifies them. Keys rotate every `rotationSeconds`; a
 * retired key stays published until the last token it signed has expired. A revoked session's
 * access token stays valid until it expires: `ttlSeconds` bounds that.
 */
export function createAccessTokens(options: AccessTokenOptions) {
  const { store, clock, ttlSeconds, rotationSeconds, issuer } = options;
  const { seal, open } = sealer(options.secret);

  async function createKey(now: Date): Promise<SigningKeyRecord> {
    const pair = await generateKeyPair(ALGORITHM, { crv: "Ed25519", extractable: true });
    const id = generateId();
    const retiresAt = new Date(now.getTime() + rotationSeconds * 1000);
    const record: SigningKeyRecord = {
      id,
      algorithm: ALGORITHM,
      publicJwk: JSON.stringify(await exportJWK(pair.publicKey)),
      privateJwk: seal(JSON.stringify(await exportJWK(pair.privateKey))),
      createdAt: now,
      retiresAt,
      // Tokens signed just before retirement live ttlSeconds more; a minute covers clock skew.
      expiresAt: new Date(retiresAt.getTime() + (ttlSeconds + 60) * 1000),
    };
    await store.insertSigningKey(record);
    return record;
  }

  /**
   * The newest key that still signs, made when there is none (first use, or rotation due). Held
   * in memory until it retires, so that issuing a token costs no database read.
   */
  let current: { id: string; key: CryptoKey; retiresAt: Date } | null = null;
  async function signingKey(now: Date): Promise<{ id: string; key: CryptoKey }> {
    if (current && current.retiresAt > now) return current;
    const record = (await store.listSigningKeys(now)).find((key) => key.retiresAt > now) ?? (await createKey(now));
    const key = (await importJWK(JSON.parse(open(record.privateJwk)) as JWK, ALGORITHM)) as CryptoKey;
    current = { id: record.id, key, retiresAt: record.retiresAt };
    return current;
  }


  return {
    ttlSeconds,
    issuer,

    /** Signs an access token for a live session's auth context; its audience is the session's application. */
    async issue(context: AuthContext): Promise<{ accessToken: string; expiresAt: Date; tokenType: "Bearer" }> {
      const now = clock.now();
      const { id, key } = await signingKey(now);
      const issuedAt = Math.floor(now.getTime() / 1000);
      const expiresAt = new Date((issuedAt + ttlSeconds) * 1000);
      const claims: AccessTokenClaims = { sid: context.session.id, roles: context.roles, tenant: context.tenantId, kind: context.kind };
      const accessToken = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: ALGORITHM, kid: id, typ: ACCESS_TOKEN_TYPE })
        .setIssuer(issuer)
        .setAudience(context.session.appId)
        .setSubject(context.user.id)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .setJti(generateId())
        .sign(key);
      return { accessToken, expiresAt, tokenType: "Bearer" };
    },

    /** The public keys that verify access tokens still in circulation, as a JWK Set. */
    async jwks(): Promise<{ keys: (JWK & { kid: string; alg: string; use: "sig" })[] }> {
      const now = clock.now();
      await signingKey(now); // a signing key exists before the first token, so verifiers can fetch it
      return {
        keys: (await store.listSigningKeys(now)).map((key) => ({ ...(JSON.parse(key.publicJwk) as JWK), kid: key.id, alg: key.algorithm, use: "sig" as const })),
      };
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
