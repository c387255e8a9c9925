/**
 * Counts failures per key in a fixed window and says when a key is over its limit. Kept in this
 * process: with several instances each counts its own share (see the README's known limits).
 */
export interface RateLimiter {
  /** Seconds until `key` may try again, or 0 when it is under the limit. */
  retryAfter(key: string, now: number): number;
  recordFailure(key: string, now: number): void;
}

export function createRateLimiter({ limit, windowMs, maxKeys = 100_000 }: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  function current(key: string, now: number) {
    const window = windows.get(key);
    if (!window || now - window.start >= windowMs) return null;
    return window;
  }
  return {
    retryAfter(key, now) {
      const window = current(key, now);
      if (!window || window.count < limit) return 0;
      return Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    },
    recordFailure(key, now) {
      const window = current(key, now);
      if (window) {
        window.count += 1;
        return;
      }
      if (windows.size >= maxKeys) {
        for (const [stale, value] of windows) {
          if (now - value.start >= windowMs) windows.delete(stale);
        }
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
      }
      windows.set(key, { start: now, count: 1 });
    },
  };
}
