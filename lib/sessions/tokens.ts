import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Recognizable prefixes, so that secret scanners find leaked tokens and kinds are never confused. */
export const TOKEN_PREFIX = {
  session: "lks_",
  oauthState: "lko_",
  apiKey: "lka_",
} as const;
export type TokenKind = keyof typeof TOKEN_PREFIX;

const ID_BYTES = 16; // 128 bits of public id
const SECRET_BYTES = 32; // 256 bits of secret
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const MAX_TOKEN_LENGTH = 128;

export interface IssuedToken {
  id: string;
  token: string;
  secretHash: string;
}

export interface ParsedToken {
  id: string;
  secret: string;
}

/** SHA-256 of a secret, base64url. The only form in which a secret is ever stored. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

/** Constant-time comparison of a presented secret with a stored hash; never throws. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash("sha256").update(secret).digest();
  const stored = Buffer.from(storedHash, "base64url");
  if (stored.length !== presented.length) return false;
  return timingSafeEqual(presented, stored);
}

export function generateId(): string {
  return randomBytes(ID_BYTES).toString("base64url");
}

/** A fresh token `<prefix><id>.<secret>` from the system CSPRNG, with the hash to store. */
export function issueToken(kind: TokenKind): IssuedToken {
  const id = generateId();
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { id, token: `${TOKEN_PREFIX[kind]}${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented token into id and secret, or null when it is not a token of this kind. */
export function parseToken(kind: TokenKind, token: unknown): ParsedToken | null {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return null;
  const prefix = TOKEN_PREFIX[kind];
  if (!token.startsWith(prefix)) return null;
  const body = token.slice(prefix.length);
  const dot = body.indexOf(".");
  if (dot < 0) return null;
  const id = body.slice(0, dot);
  const secret = body.slice(dot + 1);
  if (!ID_PATTERN.test(id) || !SECRET_PATTERN.test(secret)) return null;
  return { id, secret };
}
