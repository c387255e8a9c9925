import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHotStatements, type HotStatements } from "../db/hot-statements";
import { createUserRepository } from "../db/user-repository";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { createFakeClock, type FakeClock } from "./clock";
import { resolveSessionConfig } from "./config";
import { createSessionEngine } from "./engine";
import { cachingRepository, createSessionCache, invalidateUser, type CachedSession, type SessionCache } from "./session-cache";

let db: TestDatabase;
let hot: HotStatements;
beforeAll(async () => {
  db = await createTestDatabase();
  hot = openHotStatements(db.url);
});
afterAll(async () => {
  await hot.close();
  await db.drop();
});

/** An engine as the server builds it: Prisma for most things, prepared statements and a cache for resolve. */
function cachedEngine({ clock = createFakeClock(new Date("2026-03-01T12:00:00.000Z")), maxEntries = 1_000 } = {}) {
  const cache = createSessionCache({ maxEntries, clock });
  const repository = cachingRepository(db.repository, hot, cache);
  const root = createSessionEngine({ repository, config: resolveSessionConfig({ touchIntervalSeconds: 60 }), clock });
  return { engine: root.app("default"), root, cache, clock };
}

async function resolvedFromCache(cache: SessionCache, work: () => Promise<unknown>) {
  const before = cache.stats();
  await work();
  const after = cache.stats();
  return { hits: after.hits - before.hits, misses: after.misses - before.misses };
}

describe(`prepared statements on ${TEST_PROVIDER}`, () => {
  it("read every field of a session and its user exactly as Prisma does", async () => {
    const { engine } = cachedEngine();
    const plain = await engine.createSession({ userId: "hot-plain" });
    const full = await engine.createSession({
      userId: "hot-full",
      tenantId: "acme",
      roles: ["admin", "billing"],
      deviceLabel: "Work laptop",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      ip: "203.0.113.9",
      metadata: { plan: "pro", seats: 3 },
    });
    const guest = await engine.createGuestSession({});
    const revoked = await engine.createSession({ userId: "hot-full" });
    await engine.revokeSession(revoked.session.id, { reason: "REVOKED", note: "ticket 12" });
    await engine.disableUser("hot-plain", "fraud");
    for (const id of [plain.session.id, full.session.id, guest.session.id, revoked.session.id]) {
      expect(await hot.findSessionWithUser(id)).toEqual(await db.repository.findSessionWithUser("default", id));
    }
    expect(await hot.findSessionWithUser("no-such-session")).toBeNull();
    expect((await hot.unrevokedSessionIds("default", "hot-full")).sort()).toEqual([full.session.id]);
  });

  it("touch with the repository's condition: live, and last seen at or before the stale mark", async () => {
    // SQLite touches through Prisma's own connection (see HotStatements.touchSession).
    expect(hot.touchSession === undefined).toBe(TEST_PROVIDER === "sqlite");
    const touch = hot.touchSession
      ? hot.touchSession.bind(hot)
      : (id: string, now: Date, staleBefore: Date, idle: Date) => db.repository.touchSession("default", id, now, staleBefore, idle);
    const { engine, clock } = cachedEngine();
    const { session } = await engine.createSession({ userId: "hot-touch" });
    const now = new Date(clock.now().getTime() + 120_000);
    const idle = new Date(now.getTime() + 1_800_000);
    expect(await touch(session.id, now, new Date(session.lastSeenAt.getTime() - 1), idle)).toBe(false);
    expect(await touch(session.id, now, new Date(now.getTime() - 60_000), idle)).toBe(true);
    const row = await db.repository.findSession("default", session.id);
    expect(row?.lastSeenAt).toEqual(now);
    expect(row?.idleExpiresAt).toEqual(idle);
    await engine.revokeSession(session.id, { reason: "REVOKED" });
    expect(await touch(session.id, new Date(now.getTime() + 120_000), now, idle)).toBe(false);
  });
});

describe(`session cache on ${TEST_PROVIDER}`, () => {
  it("serves a resolved session from memory, still checking the secret", async () => {
    const { engine, cache } = cachedEngine();
    const { token } = await engine.createSession({ userId: "cache-hit" });
    expect(await resolvedFromCache(cache, () => engine.resolveSession(token))).toEqual({ hits: 0, misses: 1 });
    expect(await resolvedFromCache(cache, () => engine.resolveSession(token))).toEqual({ hits: 1, misses: 0 });
    const forged = `${token.slice(0, token.indexOf(".") + 1)}${"A".repeat(43)}`;
    const result = await engine.resolveSession(forged);
    expect(result.authenticated ? null : result.reason).toBe("SECRET_MISMATCH");
  });

  it("every write that changes the answer reaches the next resolve at once", async () => {
    const { engine, clock } = cachedEngine();
    const users = createUserRepository(db.database);
    const reason = async (token: string) => {
      const result = await engine.resolveSession(token);
      return result.authenticated ? "authenticated" : result.reason;
    };
    const warm = async (token: string) => {
      await engine.resolveSession(token);
      expect(await reason(token)).toBe("authenticated");
    };

    const one = await engine.createSession({ userId: "cache-writes" });
    await warm(one.token);
    await engine.revokeSession(one.session.id, { reason: "REVOKED" });
    expect(await reason(one.token)).toBe("REVOKED");

    const everywhere = await Promise.all([1, 2, 3].map(() => engine.createSession({ userId: "cache-everywhere" })));
    for (const { token } of everywhere) await warm(token);
    expect(await engine.revokeUserSessions("cache-everywhere")).toBe(3);
    for (const { token } of everywhere) expect(await reason(token)).toBe("REVOKED");

    const disabled = await engine.createSession({ userId: "cache-disabled" });
    await warm(disabled.token);
    await engine.disableUser("cache-disabled", null);
    expect(await reason(disabled.token)).toBe("REVOKED");

    const labelled = await engine.createSession({ userId: "cache-label", tenantId: "a" });
    await warm(labelled.token);
    await engine.setDeviceLabel(labelled.session.id, "Kitchen tablet");
    await engine.setTenant(labelled.session.id, "b");
    const relabelled = await engine.resolveSession(labelled.token);
    expect(relabelled.authenticated && [relabelled.session.deviceLabel, relabelled.tenantId]).toEqual(["Kitchen tablet", "b"]);

    const rotated = await engine.createSession({ userId: "cache-rotate" });
    await warm(rotated.token);
    await engine.rotateSession(rotated.token);
    clock.advance(resolveSessionConfig({}).rotationGraceSeconds * 1000 + 1000);
    expect(await reason(rotated.token)).toBe("REUSE_DETECTED");

    // A console account's role lives on the user row, which the user repository changes.
    const account = await users.createConsoleUser(
      { email: "cache-role@example.test", name: null, role: "SUPPORT", passwordHash: "x", at: clock.now() },
      { appId: "console", at: clock.now(), type: "user.created", actor: { type: "system", label: "test" } },
    );
    const { root, cache } = cachedEngine({ clock });
    const engineWithHook = root.app("console");
    const hookedUsers = createUserRepository(db.database, { onUserChanged: (userId) => invalidateUser(hot, cache, "console", userId) });
    const console = await engineWithHook.createSession({ userId: account.id });
    await engineWithHook.resolveSession(console.token);
    await hookedUsers.setConsoleRole(account.id, "ADMIN", { appId: "console", at: clock.now(), type: "user.role_changed", actor: { type: "system", label: "test" } });
    const promoted = await engineWithHook.resolveSession(console.token);
    expect(promoted.authenticated && promoted.user.consoleRole).toBe("ADMIN");
  });

  it("a session slid by another instance is read again when this one's copy looks expired", async () => {
    const clock = createFakeClock(new Date("2026-04-01T12:00:00.000Z"));
    const a = cachedEngine({ clock });
    const b = cachedEngine({ clock });
    const { token } = await a.engine.createSession({ userId: "cache-slid", idleTimeoutSeconds: 600 });
    await a.engine.resolveSession(token);
    clock.advance(500_000);
    await b.engine.refreshSession(token);
    clock.advance(200_000); // past a's copy of the idle expiry, not past the slid one
    const result = await a.engine.resolveSession(token);
    expect(result.authenticated).toBe(true);
    expect(a.cache.stats().misses).toBe(2);
  });

  it("a read that raced an invalidation does not put the old session back", async () => {
    const clock = createFakeClock(new Date("2026-04-01T12:00:00.000Z"));
    const cache = createSessionCache({ maxEntries: 10, clock });
    const { session } = await cachedEngine({ clock }).engine.createSession({ userId: "cache-race" });
    const stale = (await hot.findSessionWithUser(session.id)) as CachedSession;
    await cache.find(session.id, async () => {
      await cache.invalidate([session.id]); // a revocation lands while this read is in flight
      return stale;
    });
    expect(cache.stats().entries).toBe(0);
    await cache.find(session.id, async () => stale);
    expect(cache.stats().entries).toBe(1);
  });

  it("keeps at most its bound, and with a bound of 0 reads the database every time", async () => {
    const { engine, cache } = cachedEngine({ maxEntries: 3 });
    const sessions = await Promise.all([1, 2, 3, 4, 5].map((n) => engine.createSession({ userId: `cache-bound-${n}` })));
    for (const { token } of sessions) await engine.resolveSession(token);
    expect(cache.stats().entries).toBe(3);

    const off = cachedEngine({ maxEntries: 0 });
    for (const { token } of sessions) await off.engine.resolveSession(token);
    await off.engine.resolveSession(sessions[0]!.token);
    expect(off.cache.stats()).toMatchObject({ hits: 0, bypassed: 6, entries: 0 });
  });
});
