import Redis from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { limitKeyOf } from "./client-address";

/**
 * Failures counted per key in a window (rate-limiter-flexible): in Redis when there is one, so
 * that every instance counts together and a restart forgets nothing, else in this process. When
 * Redis cannot answer, counting goes on in the process until it is back.
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
 * Console and CLI sign-in, after rate-limiter-flexible's login-protection scheme. Wrong passwords
 * count per account and client address (a lock for that address only: an attacker elsewhere
 * never locks the owner out), per address across accounts, and per account across addresses,
 * which past its ceiling slows every attempt at the account down and refuses none.
 */
export interface SignInLimits {
  check(account: string, ip: string | null): Promise<SignInCheck>;
  failed(account: string, ip: string | null): Promise<void>;
  /** A right password forgets that address's failures for the account. */
  succeeded(account: string, ip: string | null): Promise<void>;
}

export interface Limits {
  /** Failed API authentications per client address, per minute. */
  apiAuth: FailureLimit;
  /** Refused tokens per API key and per client address, per minute. */
  apiTokens: FailureLimit;
  signIn: SignInLimits;
  /** Settles once Redis answers (or at once without it); until then counting is in the process. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export const SIGN_IN_LIMITS = {
  windowSeconds: 15 * 60,
  /** Wrong passwords for one account from one address (or IPv6 /64) before that address waits out the window. */
  perAccountAndAddress: 10,
  /** Wrong passwords from one address, whatever the accounts. */
  perAddress: 50,
  /** Wrong passwords for one account from every address, past which each attempt is slowed. */
  perAccountCeiling: 50,
  /** The slowdown per 10 failures past the ceiling, and its most. */
  slowdownStepMs: 1_000,
  slowdownMaxMs: 5_000,
};

interface LimitOptions {
  redisUrl: string | null;
  apiAuthFailureLimit: number;
  apiTokenFailureLimit: number;
  signIn?: typeof SIGN_IN_LIMITS;
}

const addressKey = (ip: string | null) => (ip ? limitKeyOf(ip) : "unknown");

export function createLimits({ redisUrl, apiAuthFailureLimit, apiTokenFailureLimit, signIn = SIGN_IN_LIMITS }: LimitOptions): Limits {
  const client = redisUrl
    ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: (times) => Math.min(100 * times, 1_000), lazyConnect: true })
    : null;
  const ready = client ? client.connect().catch(() => {}) : Promise.resolve();
  // Connection errors are answered by the in-process counters; ioredis would log each one.
  client?.on("error", () => {});

  function limiter(name: string, points: number, duration: number): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix: name, points, duration });
    if (!client) return memory;
    return new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `latchkey:v1:limit:${name}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
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
  const byAccount = limiter("signin:account", signIn.perAccountCeiling, signIn.windowSeconds);
  const pairKey = (account: string, ip: string | null) => `${account.toLowerCase()}|${addressKey(ip)}`;

  return {
    apiAuth: failureLimit("api:auth", apiAuthFailureLimit, 60),
    apiTokens: failureLimit("api:tokens", apiTokenFailureLimit, 60),
    signIn: {
      async check(account, ip) {
        const [pair, address, all] = await Promise.all([
          byAccountAndAddress.get(pairKey(account, ip)),
          byAddress.get(addressKey(ip)),
          byAccount.get(account.toLowerCase()),
        ]);
        const waits = [
          pair && pair.consumedPoints >= signIn.perAccountAndAddress ? pair.msBeforeNext : 0,
          address && address.consumedPoints >= signIn.perAddress ? address.msBeforeNext : 0,
        ];
        const retryAfter = Math.max(...waits) > 0 ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : 0;
        const over = all ? all.consumedPoints - signIn.perAccountCeiling : -1;
        const delayMs = over < 0 ? 0 : Math.min(signIn.slowdownMaxMs, signIn.slowdownStepMs * (Math.floor(over / 10) + 1));
        return { retryAfter, delayMs };
      },
      async failed(account, ip) {
        await Promise.all([
          byAccountAndAddress.penalty(pairKey(account, ip), 1),
          byAddress.penalty(addressKey(ip), 1),
          byAccount.penalty(account.toLowerCase(), 1),
        ]);
      },
      async succeeded(account, ip) {
        await byAccountAndAddress.delete(pairKey(account, ip));
      },
    },
    ready,
    async close() {
      client?.disconnect();
    },
  };
}
