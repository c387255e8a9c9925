import type { Clock } from "./clock";

/** Figures and the moment they describe; `live` when they were computed for this very call. */
export interface Figures<T> {
  value: T;
  asOf: Date;
  live: boolean;
}

export interface FiguresOptions {
  /** Figures older than this are recomputed in the background on the next read (ms). */
  maxAgeMs: number;
  /**
   * Figures that took less than this to compute are computed again for every read: on a small
   * database they cost nothing and stay live. Above it, reads get the last figures at once.
   */
  liveBelowMs: number;
  /** Milliseconds elapsed, for timing a computation (performance.now by default). */
  elapsed?: () => number;
}

interface Held {
  value: unknown;
  asOf: Date;
  tookMs: number;
}

/**
 * Figures that cost a scan of the sessions (the overview's counts and charts, the sweep's
 * preview) computed once and shared, per key: live while they are cheap, otherwise the last
 * computation, refreshed in the background once it is older than `maxAgeMs`. One computation per
 * key runs at a time. Errors of a background refresh keep the last figures; a first computation's
 * error reaches the caller.
 */
export function createFiguresCache(clock: Clock, options: FiguresOptions) {
  const elapsed = options.elapsed ?? (() => performance.now());
  const held = new Map<string, Held>();
  const running = new Map<string, Promise<Held>>();

  function compute(key: string, work: () => Promise<unknown>): Promise<Held> {
    const already = running.get(key);
    if (already) return already;
    const asOf = clock.now();
    const started = elapsed();
    const promise = work()
      .then((value) => {
        const entry = { value, asOf, tookMs: elapsed() - started };
        held.set(key, entry);
        return entry;
      })
      .finally(() => running.delete(key));
    running.set(key, promise);
    return promise;
  }

  return {
    async get<T>(key: string, work: () => Promise<T>): Promise<Figures<T>> {
      const last = held.get(key);
      if (!last || last.tookMs < options.liveBelowMs) {
        const entry = await compute(key, work);
        return { value: entry.value as T, asOf: entry.asOf, live: true };
      }
      if (clock.now().getTime() - last.asOf.getTime() > options.maxAgeMs) {
        compute(key, work).catch(() => undefined);
      }
      return { value: last.value as T, asOf: last.asOf, live: false };
    },

    /** Computes `key` now, whatever is held, and returns the new figures. */
    async refresh<T>(key: string, work: () => Promise<T>): Promise<Figures<T>> {
      await running.get(key)?.catch(() => undefined);
      const entry = await compute(key, work);
      return { value: entry.value as T, asOf: entry.asOf, live: true };
    },
  };
}

export type FiguresCache = ReturnType<typeof createFiguresCache>;
