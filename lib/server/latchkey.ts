import { createApiKeyRepository, type ApiKeyRepository } from "../db/api-key-repository";
import { openDatabase, type Database } from "../db/client";
import { openHotStatements, type HotStatements } from "../db/hot-statements";
import { createPrismaSessionRepository } from "../db/session-repository";
import { createSigningKeyRepository } from "../db/signing-key-repository";
import { createUserRepository, type UserRepository } from "../db/user-repository";
import { loadEnv, type LatchkeyEnv } from "../env";
import { ensureAuthSecret } from "./auth-secret";
import { createAccessTokens, sealer, type AccessTokens } from "../sessions/access-tokens";
import { createEndpointManager, type EndpointManager } from "../webhooks/endpoints";
import { systemResolver, type OutboundPolicy } from "../webhooks/outbound";
import { createWebhookStore, type WebhookStore } from "../webhooks/store";
import { systemClock } from "../sessions/clock";
import { createSessionEngine, type AppEngine, type SessionEngine } from "../sessions/engine";
import { ALL_APPS, CONSOLE_APP_ID } from "../sessions/policy";
import { createRefusalLog, type RefusalLog } from "../sessions/refusal-log";
import { cachingRepository, createSessionCache, invalidateUser, type SessionCache } from "../sessions/session-cache";
import { observedRepository } from "../sessions/observer";
import { createLimits, type Limits } from "./limits";
import { getLogger } from "./log";
import { getMetrics, type MetricSources } from "./metrics";
import { createRedisSessionCache } from "./redis-cache";

/** Everything the app's server side works with: one database client, one engine. */
export interface Latchkey {
  env: LatchkeyEnv;
  database: Database;
  /** The engine: `engine.app(id)` within one application, the applications themselves, leases. */
  engine: SessionEngine;
  /** The engine within the console's own accounts and sign-ins. */
  console: AppEngine;
  /** The engine across every application, for operators in the console. */
  operator: AppEngine;
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  /** Where refused tokens are logged; null when LATCHKEY_REFUSAL_LOG=off. */
  refusals: RefusalLog | null;
  /** Signed short-lived access tokens and their key set. */
  accessTokens: AccessTokens;
  /** Prepared statements for resolve and API-key checks (see lib/db/hot-statements.ts). */
  hot: HotStatements;
  /** Resolved sessions in memory and, with REDIS_URL, in Redis. */
  cache: SessionCache;
  /** Sign-in and API failure limits, shared by every instance through REDIS_URL. */
  limits: Limits;
  /** Webhook endpoints and their deliveries (lib/webhooks); the dispatcher starts at bootstrap. */
  webhooks: { store: WebhookStore; endpoints: EndpointManager; outbound: OutboundPolicy; seal: (text: string) => string; open: (sealed: string) => string };
}

function webhooksOf(database: Database, env: LatchkeyEnv): Latchkey["webhooks"] {
  const store = createWebhookStore(database);
  const { seal, open } = sealer(ensureAuthSecret(env.dataDir, env.authSecret), "latchkey webhook secrets");
  const outbound: OutboundPolicy = { allow: env.webhookAllow, resolver: systemResolver, timeoutMs: 10_000, maxResponseBytes: 65_536 };
  return { store, outbound, seal, open, endpoints: createEndpointManager({ store, clock: systemClock, seal, outbound }) };
}

const globalForLatchkey = globalThis as typeof globalThis & { latchkey?: Latchkey };

/** The process-wide instance, created on first use (and kept across dev-server reloads). */
export function getLatchkey(): Latchkey {
  if (!globalForLatchkey.latchkey) {
    const env = loadEnv();
    const database = openDatabase(env.databaseUrl);
    const hot = openHotStatements(env.databaseUrl);
    const shared = env.redisUrl && env.cacheEntries > 0 ? createRedisSessionCache(env.redisUrl) : null;
    const cache = createSessionCache({ maxEntries: env.cacheEntries, clock: systemClock, shared });
    const metrics = getMetrics();
    const repository = observedRepository(cachingRepository(createPrismaSessionRepository(database), hot, cache), metrics.observer);
    const refusals =
      env.refusalRetentionSeconds === null
        ? null
        : createRefusalLog({
            store: repository,
            clock: systemClock,
            retentionSeconds: env.refusalRetentionSeconds,
            onError: (error) => getLogger().error({ reason: (error as Error).message }, "refusals could not be written"),
            onRecord: metrics.refusalRecorded,
          });
    const engine = createSessionEngine({ repository, config: env.session, clock: systemClock, refusals: refusals ?? undefined, observer: metrics.observer });
    const limits = createLimits({ redisUrl: env.redisUrl, apiAuthFailureLimit: env.apiAuthFailureLimit, apiTokenFailureLimit: env.apiTokenFailureLimit });
    const redis: MetricSources["redis"] = {};
    if (shared) redis.cache = () => shared.healthy();
    if (limits.redisConnected) redis.limits = limits.redisConnected;
    const pools: MetricSources["pools"] = {};
    if (database.poolStats) pools.prisma = database.poolStats;
    if (hot.poolStats) pools.hot = hot.poolStats;
    metrics.watch({ cacheStats: () => cache.stats(), redis, pools, refusalsPending: refusals ? () => refusals.pending : undefined });
    globalForLatchkey.latchkey = {
      env,
      database,
      engine,
      console: engine.app(CONSOLE_APP_ID),
      operator: engine.app(ALL_APPS),
      users: createUserRepository(database, { onUserChanged: (userId) => invalidateUser(hot, cache, CONSOLE_APP_ID, userId) }),
      apiKeys: createApiKeyRepository(database, { findRow: hot.findApiKey }),
      refusals,
      accessTokens: createAccessTokens({
        store: createSigningKeyRepository(database),
        clock: systemClock,
        ttlSeconds: env.accessTokenTtlSeconds,
        rotationSeconds: env.signingKeyRotationSeconds,
        issuer: env.issuer,
        secret: ensureAuthSecret(env.dataDir, env.authSecret),
      }),
      hot,
      cache,
      limits,
      webhooks: webhooksOf(database, env),
    };
  }
  return globalForLatchkey.latchkey;
}
