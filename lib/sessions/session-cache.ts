import type { Clock } from "./clock";
import { ALL_APPS } from "./policy";
import type { OAuthStateRecord, SessionRepository, UserProfile } from "./repository";
import type { AuditEventInput, SessionRecord, UserRecord } from "./types";

/** A live session and its user, as the engine judges a token against them. */
export interface CachedSession {
  session: SessionRecord;
  user: UserRecord;
}

const SESSION_DATES = ["createdAt", "startedAt", "lastSeenAt", "authenticatedAt", "idleExpiresAt", "absoluteExpiresAt", "revokedAt"] as const;
const USER_DATES = ["disabledAt", "createdAt"] as const;

/** A cached session back from JSON (where its dates became strings). */
export function reviveCachedSession(text: string): CachedSession {
  const parsed = JSON.parse(text) as { session: Record<string, unknown>; user: Record<string, unknown> };
  for (const field of SESSION_DATES) if (parsed.session[field] !== null) parsed.session[field] = new Date(parsed.session[field] as string);
  for (const field of USER_DATES) if (parsed.user[field] !== null) parsed.user[field] = new Date(parsed.user[field] as string);
  return parsed as unknown as CachedSession;
}

/**
 * A cache several instances share (Redis). Entries are set only with the ticket read before the
 * database was, so a read that raced a revocation never puts the old session back.
 */
export interface SharedSessionCache {
  /** False while invalidations from other instances might be missed: then no cache is trusted. */
  healthy(): boolean;
  get(id: string): Promise<{ entry: CachedSession | null; ticket: string }>;
  set(id: string, entry: CachedSession, ticket: string): Promise<void>;
  /** Drops the entries here and tells every instance to drop them too. */
  invalidate(ids: string[]): Promise<void>;
  /** Drops the shared entries only (a touched session: other instances re-read it when it looks expired). */
  forget(id: string): Promise<void>;
  /** Called with ids other instances invalidated, or "all" when this instance may have missed some. */
  subscribe(listener: (ids: string[] | "all") => void): void;
  close(): Promise<void>;
}

/** The statements resolve needs, cheaper than the repository's; without a touch, the repository's is used. */
export interface HotSessionReads {
  findSessionWithUser(id: string): Promise<CachedSession | null>;
  touchSession?(id: string, now: Date, staleBefore: Date, idleExpiresAt: Date): Promise<boolean>;
  unrevokedSessionIds(appId: string, userId: string): Promise<string[]>;
  /** A sign-in's writes without Prisma (see lib/db/hot-statements.ts); "fallback" sends them through `base`. */
  insertSession?(session: SessionRecord, events: AuditEventInput[], profile?: UserProfile): Promise<"inserted" | "disabled" | "fallback">;
  insertOAuthState?(state: OAuthStateRecord, event: AuditEventInput): Promise<"inserted" | "disabled" | "fallback">;
}

export interface SessionCacheOptions {
  /** How many sessions this process keeps; 0 keeps none (every resolve reads the database). */
  maxEntries: number;
  clock: Clock;
  /** How long an entry may be served without a re-read, whatever happens (default five minutes). */
  maxAgeMs?: number;
  shared?: SharedSessionCache | null;
}

export interface SessionCacheStats {
  hits: number;
  sharedHits: number;
  misses: number;
  bypassed: number;
  entries: number;
}

/**
 * Resolved sessions by id, bounded, in this process; with a shared cache, also across instances.
 * The secret is still checked against the stored hash on every hit (the engine does that), so a
 * cached entry never accepts a token the database would not. Only unrevoked sessions are kept,
 * and an entry that looks expired is read again: another instance may have slid it.
 */
export function createSessionCache({ maxEntries, clock, maxAgeMs = 5 * 60_000, shared = null }: SessionCacheOptions) {
  const local = new Map<string, { entry: CachedSession; storedAt: number }>();
  let generation = 0;
  const stats: SessionCacheStats = { hits: 0, sharedHits: 0, misses: 0, bypassed: 0, entries: 0 };

  function dropLocal(ids: string[] | "all") {
    generation += 1;
    if (ids === "all") local.clear();
    else for (const id of ids) local.delete(id);
  }
  shared?.subscribe(dropLocal);

  function usable(entry: CachedSession, now: number): boolean {
    const { session } = entry;
    return session.revokedAt === null && session.idleExpiresAt.getTime() > now && session.absoluteExpiresAt.getTime() > now;
  }

  function keep(id: string, entry: CachedSession, expectedGeneration: number) {
    if (generation !== expectedGeneration || !usable(entry, clock.now().getTime())) return;
    if (local.size >= maxEntries && !local.has(id)) {
      // The oldest insertion goes first: a Map iterates in insertion order.
      const oldest = local.keys().next().value;
      if (oldest !== undefined) local.delete(oldest);
    }
    local.set(id, { entry, storedAt: clock.now().getTime() });
  }

  const enabled = maxEntries > 0;
  return {
    enabled,
    stats(): SessionCacheStats {
      return { ...stats, entries: local.size };
    },

    /** The session from this process, the shared cache, or `read` (the database), in that order. */
    async find(id: string, read: (id: string) => Promise<CachedSession | null>): Promise<CachedSession | null> {
      if (!enabled || (shared && !shared.healthy())) {
        if (local.size > 0) dropLocal("all");
        stats.bypassed += 1;
        return read(id);
      }
      const now = clock.now().getTime();
      const held = local.get(id);
      if (held && now - held.storedAt < maxAgeMs && usable(held.entry, now)) {
        stats.hits += 1;
        return held.entry;
      }
      const expected = generation;
      let ticket: string | null = null;
      if (shared) {
        try {
          const found = await shared.get(id);
          ticket = found.ticket;
          if (found.entry && usable(found.entry, now)) {
            stats.sharedHits += 1;
            keep(id, found.entry, expected);
            return found.entry;
          }
        } catch {
          // Redis failed this call: the database answers, and nothing is cached from it.
          stats.bypassed += 1;
          return read(id);
        }
      }
      stats.misses += 1;
      const entry = await read(id);
      if (entry && usable(entry, now)) {
        keep(id, entry, expected);
        if (shared && ticket !== null) await shared.set(id, entry, ticket).catch(() => undefined);
      }
      return entry;
    },

    /** After a touch: this process keeps the slid session, other instances read it again. */
    async touched(id: string, now: Date, idleExpiresAt: Date, expectedGeneration: number): Promise<void> {
      if (!enabled) return;
      const held = local.get(id);
      if (held) keep(id, { user: held.entry.user, session: { ...held.entry.session, lastSeenAt: now, idleExpiresAt } }, expectedGeneration);
      await shared?.forget(id).catch(() => undefined);
    },

    generation: () => generation,

    /** Drops sessions here and, with a shared cache, on every instance. Never fails the write it follows. */
    async invalidate(ids: string[]): Promise<void> {
      if (!enabled || ids.length === 0) return;
      dropLocal(ids);
      await shared?.invalidate(ids).catch(() => undefined);
    },

    close: () => shared?.close(),
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;

/**
 * The repository with resolve's reads served by `hot` through `cache`, and every write that can
 * change what resolve answers followed by an invalidation of the sessions it touched. Entries are
 * kept by session id whatever application asks; the application is checked on every read, so a
 * cached session of one application is as unknown to another as it is in the database.
 */
export function cachingRepository(base: SessionRepository, hot: HotSessionReads, cache: SessionCache): SessionRepository {
  const read = (id: string) => hot.findSessionWithUser(id);
  return {
    ...base,
    async findSessionWithUser(app, id) {
      const found = await cache.find(id, read);
      return found && (app === ALL_APPS || found.session.appId === app) ? found : null;
    },

    async touchSession(app, id, now, staleBefore, idleExpiresAt) {
      const expected = cache.generation();
      const touched = hot.touchSession ? await hot.touchSession(id, now, staleBefore, idleExpiresAt) : await base.touchSession(app, id, now, staleBefore, idleExpiresAt);
      if (touched) await cache.touched(id, now, idleExpiresAt, expected);
      return touched;
    },

    async insertSession(session, events, limit, profile) {
      // A session limit needs the user's live sessions counted in the transaction: Prisma's path.
      if (!limit && hot.insertSession) {
        const outcome = await hot.insertSession(session, events, profile);
        if (outcome === "inserted") return { inserted: true, ended: [] };
        if (outcome === "disabled") return { inserted: false, ended: [], disabled: true };
      }
      const result = await base.insertSession(session, events, limit, profile);
      await cache.invalidate(result.ended);
      return result;
    },

    async insertOAuthState(state, event) {
      if (hot.insertOAuthState && (await hot.insertOAuthState(state, event)) === "inserted") return;
      await base.insertOAuthState(state, event);
    },

    async rotateSession(app, oldId, revocation, successor, events, limit) {
      const rotated = await base.rotateSession(app, oldId, revocation, successor, events, limit);
      if (rotated.outcome === "rotated") await cache.invalidate([oldId, ...rotated.ended]);
      return rotated;
    },

    async revokeSession(app, id, revocation, event, options) {
      const revoked = await base.revokeSession(app, id, revocation, event, options);
      if (revoked) await cache.invalidate([id]);
      return revoked;
    },

    async revokeSessions(app, target, revocation, perSession, summary, options) {
      const ids = await base.revokeSessions(app, target, revocation, perSession, summary, options);
      await cache.invalidate(ids);
      return ids;
    },

    async endSessionsOverLimit(appId, max, action, now, afterUserId, limit, revocation, perSession) {
      const result = await base.endSessionsOverLimit(appId, max, action, now, afterUserId, limit, revocation, perSession);
      await cache.invalidate(result.ended);
      return result;
    },

    async updateSession(app, id, data, event, options) {
      const updated = await base.updateSession(app, id, data, event, options);
      if (updated) await cache.invalidate([id]);
      return updated;
    },

    async confirmAuthentication(app, id, now, event) {
      const confirmed = await base.confirmAuthentication(app, id, now, event);
      if (confirmed) await cache.invalidate([id]);
      return confirmed;
    },

    async setUserDisabled(appId, userId, disabledAt, reason, event) {
      const changed = await base.setUserDisabled(appId, userId, disabledAt, reason, event);
      if (changed) await invalidateUser(hot, cache, appId, userId);
      return changed;
    },
  };
}

/** Drops every cached session of a user, after a change to the user that resolve reports. */
export async function invalidateUser(hot: HotSessionReads, cache: SessionCache, appId: string, userId: string): Promise<void> {
  if (cache.enabled) await cache.invalidate(await hot.unrevokedSessionIds(appId, userId));
}
