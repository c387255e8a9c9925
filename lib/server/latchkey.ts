import { createApiKeyRepository, type ApiKeyRepository } from "../db/api-key-repository";
import { openDatabase, type Database } from "../db/client";
import { createPrismaSessionRepository } from "../db/session-repository";
import { createUserRepository, type UserRepository } from "../db/user-repository";
import { loadEnv, type LatchkeyEnv } from "../env";
import { systemClock } from "../sessions/clock";
import { createSessionEngine, type SessionEngine } from "../sessions/engine";

/** Everything the app's server side works with: one database client, one engine. */
export interface Latchkey {
  env: LatchkeyEnv;
  database: Database;
  engine: SessionEngine;
  users: UserRepository;
  apiKeys: ApiKeyRepository;
}

const globalForLatchkey = globalThis as typeof globalThis & { latchkey?: Latchkey };

/** The process-wide instance, created on first use (and kept across dev-server reloads). */
export function getLatchkey(): Latchkey {
  if (!globalForLatchkey.latchkey) {
    const env = loadEnv();
    const database = openDatabase(env.databaseUrl);
    const engine = createSessionEngine({ repository: createPrismaSessionRepository(database), config: env.session, clock: systemClock });
    globalForLatchkey.latchkey = { env, database, engine, users: createUserRepository(database), apiKeys: createApiKeyRepository(database) };
  }
  return globalForLatchkey.latchkey;
}
