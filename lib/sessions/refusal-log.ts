import type { Clock } from "./clock";
import type { RefusalReason } from "./errors";

/** Why a presented token was refused, as the refusal log records it: the engine's reasons, and the API's rate limit. */
export type RefusalLogReason = RefusalReason | "RATE_LIMITED";

/** What the engine was asked to do with the token. */
export type RefusalOperation = "resolve" | "validate" | "refresh" | "rotate" | "upgrade" | "exchange";

/** Where a token came from: the caller passes it along with the token. Never the token itself. */
export interface RequestContext {
  /** "console", or the API key's name. */
  source?: string;
  ip?: string | null;
  userAgent?: string | null;
}

/** One refusal. Holds no part of the token beyond the session id it names. */
export interface RefusalEntry {
  /** The application whose key (or whose console) presented the token. */
  appId: string;
  at: Date;
  reason: RefusalLogReason;
  operation: RefusalOperation;
  source: string;
  sessionId: string | null;
  userId: string | null;
  revokedReason: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface RefusalView extends RefusalEntry {
  id: number;
}

export interface RefusalFilter {
  sessionId?: string;
  userId?: string;
  since?: Date;
  limit: number;
}

/** Where refusals go: the engine calls record() on its request path, so it must not wait on I/O. */
export interface RefusalSink {
  record(entry: RefusalEntry): void;
}

/** The refusal log's storage (the session repository implements it). */
export interface RefusalStore {
  insertRefusals(entries: RefusalEntry[]): Promise<void>;
  deleteRefusalsBefore(cutoff: Date): Promise<number>;
}

export interface RefusalLogOptions {
  store: RefusalStore;
  clock: Clock;
  /** How long refusals are kept. */
  retentionSeconds: number;
  /** A batch is written this long after its first entry... */
  flushIntervalMs?: number;
  /** ...or as soon as it holds this many. */
  batchSize?: number;
  /** Entries beyond this many waiting are dropped (and counted), so a flood cannot exhaust memory. */
  maxPending?: number;
  /** Called when a write fails; the batch is dropped. */
  onError?: (error: unknown) => void;
  /** Told of every entry as it arrives (metrics): `kept` is false when it was dropped. Must not wait. */
  onRecord?: (entry: RefusalEntry, kept: boolean) => void;
}

const HOUR = 3_600_000;

/**
 * A refusal log that takes entries without waiting and writes them in batches: record() only
 * pushes to an array; a timer (which does not keep the process alive) or a full batch writes
 * them with one insert. Entries older than the retention are deleted at most once an hour.
 */
export function createRefusalLog(options: RefusalLogOptions) {
  const { store, clock, retentionSeconds } = options;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const batchSize = options.batchSize ?? 500;
  const maxPending = options.maxPending ?? 10_000;
  let pending: RefusalEntry[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  let dropped = 0;
  let prunedAt = 0;

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void log.flush();
    }, flushIntervalMs);
    timer.unref?.();
  }

  async function write(batch: RefusalEntry[]): Promise<void> {
    try {
      await store.insertRefusals(batch);
      const now = clock.now().getTime();
      if (now - prunedAt >= HOUR) {
        prunedAt = now;
        await store.deleteRefusalsBefore(new Date(now - retentionSeconds * 1000));
      }
    } catch (error) {
      options.onError?.(error);
    }
  }

  const log = {
    record(entry: RefusalEntry): void {
      if (pending.length >= maxPending) {
        dropped += 1;
        options.onRecord?.(entry, false);
        return;
      }
      options.onRecord?.(entry, true);
      pending.push(entry);
      if (pending.length >= batchSize) void log.flush();
      else schedule();
    },

    /** Writes what is waiting; resolves when it (and any earlier write) is stored. */
    flush(): Promise<void> {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      const batch = pending;
      pending = [];
      if (batch.length > 0) writing = writing.then(() => write(batch));
      return writing;
    },

    /** Entries waiting to be written. */
    get pending(): number {
      return pending.length;
    },

    /** Entries dropped because too many were waiting. */
    get dropped(): number {
      return dropped;
    },
  };
  return log;
}

export type RefusalLog = ReturnType<typeof createRefusalLog>;
