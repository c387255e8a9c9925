import Redis from "ioredis";
import { RateLimiterMemory, RateLimiterPrisma, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Db } from "../db/client";
import { limitKeyOf } from "./client-address";

/**
 * Failures counted per key in a window (rate-limiter-flexible): in Redis when there is one, so
 * that every instance counts together and a restart forgets nothing, else in this process. When
 * Redis cannot answer, the database counts for every instance until it is back.
 */
export interface FailureLimit {
  /**
   * Seconds until `key` may try again, or 0. Answered from this process only (no round trip on
   * the way of every request): a key over its limit is known here from the moment a failure
   * recorded here saw the shared count reach it.
   */
  retryAfter(key: string): number;
  /** Counts a failure of `key`; resolves to the seconds it must now wait (0: not over). */
  recordFailure(key: string): Promise<number>;
}

export interface SignInCheck {
  /** Refused without a password check: seconds to wait. 0: go on. */
  retryAfter: number;
  /** How long to hold the answer first: the account is under a spread attack. */
  delayMs: number;
}

/**
 * Console and CLI sign-in, and every password check of a signed-in person (entered again, or
 * the current one when changing it), after rate-limiter-flexible's login-protection scheme.
 * Each attempt counts before its password is checked, so that guesses sent all at once count
 * as many. They count per account and client address (a lock for that address only), per
 * address across accounts, and per account across addresses: past a ceiling every attempt at
 * the account is slowed; past a higher one only addresses the account signed in from before
 * may try, so guesses from elsewhere never lock the owner out of their own address.
 */
export interface SignInLimits {
  attempt(account: string, ip: string | null): Promise<SignInCheck>;
  /** A right password: the attempt is given back, and the address is known for the account. */
  succeeded(account: string, ip: string | null): Promise<void>;
}

export interface Limits {
  /** Failed API authentications per client address, per minute. */
  apiAuth: FailureLimit;
  /** Refused tokens per API key and per client address, per minute. */
  apiTokens: FailureLimit;
  signIn: SignInLimits;
  /** Settles once Redis answers (or at once without it); until then the database counts. */
  ready: Promise<void>;
  /** Whether the Redis client is connected; absent without REDIS_URL. */
  redisConnected?: () => boolean;
  close(): Promise<void>;
}

export const SIGN_IN_LIMITS = {
  windowSeconds: 15 * 60,
  /** Attempts at one account from one address (or IPv6 /64) before that address waits out the window. */
  perAccountAndAddress: 10,
  /** Attempts from one address, whatever the accounts. */
  perAddress: 50,
  /** Failed attempts at one account from every address, past which each attempt is slowed… */
  perAccountCeiling: 50,
  /** …and past which only addresses the account signed in from (in the last 14 days) may try. */
  perAccountKnownOnly: 100,
  /** The slowdown per 10 attempts past the ceiling, and its most. */
  slowdownStepMs: 1_000,
  slowdownMaxMs: 5_000,
};

// Under 24.8 days: the in-process store expires keys with a timer, which holds at most 2^31 ms.
const KNOWN_ADDRESS_SECONDS = 14 * 86_400;

interface LimitOptions {
  redisUrl: string | null;
  /** Where the counts go while Redis cannot answer, so that every instance still counts together. */
  database?: Db | null;
  apiAuthFailureLimit: number;
  apiTokenFailureLimit: number;
  signIn?: typeof SIGN_IN_LIMITS;
}

const addressKey = (ip: string | null) => (ip ? limitKeyOf(ip) : "unknown");

export function createLimits({ redisUrl, database = null, apiAuthFailureLimit, apiTokenFailureLimit, signIn = SIGN_IN_LIMITS }: LimitOptions): Limits {
  const client = redisUrl
    ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1_000, retryStrategy: (times) => Math.min(100 * times, 1_000), lazyConnect: true })
    : null;
  const ready = client ? client.connect().catch(() => {}) : Promise.resolve();
  // Connection errors are answered by the fallback store; ioredis would log each one.
  client?.on("error", () => {});

  function limiter(name: string, points: number, duration: number): RateLimiterAbstract {
    if (!client) return new RateLimiterMemory({ keyPrefix: name, points, duration });
    // While Redis cannot answer, the database counts for every instance (in the process only
    // when there is no database to count in, as in unit tests).
    const insurance = database
      ? new RateLimiterPrisma({ storeClient: database, tableName: "rateLimit", keyPrefix: `limit:${name}`, points, duration })
      : new RateLimiterMemory({ keyPrefix: name, points, duration });
    return new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `latchkey:v1:limit:${name}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: insurance,
    });
  }

  function failureLimit(name: string, points: number, duration: number): FailureLimit {
    const counter = limiter(name, points, duration);
    const blockedUntil = new Map<string, number>();
    return {
      retryAfter(key) {
        const until = blockedUntil.get(key);
        if (until === undefined) return 0;
        const wait = until - Date.now();
        if (wait > 0) return Math.ceil(wait / 1000);
        blockedUntil.delete(key);
        return 0;
      },
      async recordFailure(key) {
        const result = await counter.penalty(key, 1);
        if (result.consumedPoints < points) return 0;
        if (blockedUntil.size >= 100_000) blockedUntil.clear();
        blockedUntil.set(key, Date.now() + result.msBeforeNext);
        return Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      },
    };
  }

  const byAccountAndAddress = limiter("signin:account-address", signIn.perAccountAndAddress, signIn.windowSeconds);
  const byAddress = limiter("signin:address", signIn.perAddress, signIn.windowSeconds);
  const byAccount = limiter("signin:account", signIn.perAccountKnownOnly, signIn.windowSeconds);
  const knownAddresses = limiter("signin:known", 1_000_000, KNOWN_ADDRESS_SECONDS);
  const pairKey = (account: string, ip: string | null) => `${account.toLowerCase()}|${addressKey(ip)}`;
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  return {
    apiAuth: failureLimit("api:auth", apiAuthFailureLimit, 60),
    apiTokens: failureLimit("api:tokens", apiTokenFailureLimit, 60),
    signIn: {
      async attempt(account, ip) {
        const [pair, address, all] = await Promise.all([
          byAccountAndAddress.penalty(pairKey(account, ip), 1),
          byAddress.penalty(addressKey(ip), 1),
          byAccount.penalty(account.toLowerCase(), 1),
        ]);
        if (pair.consumedPoints > signIn.perAccountAndAddress) return { retryAfter: seconds(pair.msBeforeNext), delayMs: 0 };
        if (address.consumedPoints > signIn.perAddress) return { retryAfter: seconds(address.msBeforeNext), delayMs: 0 };
        if (all.consumedPoints > signIn.perAccountKnownOnly && !(await knownAddresses.get(pairKey(account, ip)))) {
          return { retryAfter: seconds(all.msBeforeNext), delayMs: 0 };
        }
        const over = all.consumedPoints - signIn.perAccountCeiling;
        const delayMs = over <= 0 ? 0 : Math.min(signIn.slowdownMaxMs, signIn.slowdownStepMs * Math.ceil(over / 10));
        return { retryAfter: 0, delayMs };
      },
      async succeeded(account, ip) {
        await Promise.all([
          byAccountAndAddress.delete(pairKey(account, ip)),
          byAddress.reward(addressKey(ip), 1),
          byAccount.reward(account.toLowerCase(), 1),
          knownAddresses.penalty(pairKey(account, ip), 1),
        ]);
      },
    },
    ready,
    ...(client ? { redisConnected: () => client.status === "ready" } : {}),
    async close() {
      client?.disconnect();
    },
  };
}
