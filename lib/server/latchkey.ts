import { createApiKeyRepository, type ApiKeyRepository } from "../db/api-key-repository";
import { openDatabase, type Database } from "../db/client";
import { createPrismaSessionRepository } from "../db/session-repository";
import { createSigningKeyRepository } from "../db/signing-key-repository";
import { createUserRepository, type UserRepository } from "../db/user-repository";
import { loadEnv, type LatchkeyEnv } from "../env";
import { ensureAuthSecret } from "./auth-secret";
import { createAccessTokens, type AccessTokens } from "../sessions/access-tokens";
import { systemClock } from "../sessions/clock";
import { createSessionEngine, type SessionEngine } from "../sessions/engine";
import { createRefusalLog, type RefusalLog } from "../sessions/refusal-log";

/** Everything the app's server side works with: one database client, one engine. */
export interface Latchkey {
  env: LatchkeyEnv;
  database: Database;
  engine: SessionEngine;
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  /** Where refused tokens are logged; null when LATCHKEY_REFUSAL_LOG=off. */
  refusals: RefusalLog | null;
  /** Signed short-lived access tokens and their key set. */
  accessTokens: AccessTokens;
}

const globalForLatchkey = globalThis as typeof globalThis & { latchkey?: Latchkey };

/** The process-wide instance, created on first use (and kept across dev-server reloads). */
export function getLatchkey(): Latchkey {
  if (!globalForLatchkey.latchkey) {
    const env = loadEnv();
    const database = openDatabase(env.databaseUrl);
    const repository = createPrismaSessionRepository(database);
    const refusals =
      env.refusalRetentionSeconds === null
        ? null
        : createRefusalLog({
            store: repository,
            clock: systemClock,
            retentionSeconds: env.refusalRetentionSeconds,
            onError: (error) => console.error(`Latchkey: refusals could not be written (${(error as Error).message})`),
          });
    const engine = createSessionEngine({ repository, config: env.session, clock: systemClock, refusals: refusals ?? undefined });
    globalForLatchkey.latchkey = {
      env,
      database,
      engine,
      users: createUserRepository(database),
      apiKeys: createApiKeyRepository(database),
      refusals,
      accessTokens: createAccessTokens({
        store: createSigningKeyRepository(database),
        clock: systemClock,
        ttlSeconds: env.accessTokenTtlSeconds,
        rotationSeconds: env.signingKeyRotationSeconds,
        issuer: env.issuer,
        secret: ensureAuthSecret(env.dataDir, env.authSecret),
      }),
    };
  }
  return globalForLatchkey.latchkey;
}
