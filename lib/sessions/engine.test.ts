import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, uniqueUser, type TestDatabase } from "../testing/database";
import { ErrorCode, isSessionError } from "./errors";
import { hashSecret } from "./tokens";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(isSessionError(error), `expected a SessionError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

describe("createSession and resolveSession", () => {
  it("returns a token once and resolves it to the user, roles, tenant and parsed device", async () => {
    const { engine } = createTestEngine(db);
    const userId = uniqueUser();
    const { token, session } = await engine.createSession({
      userId,
      userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
      ip: "203.0.113.7",
      tenantId: "acme",
      roles: ["editor"],
      metadata: { plan: "pro" },
      deviceLabel: "Work laptop",
    });
    expect(token).toMatch(/^lks_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(session).toMatchObject({ userId, kind: "user", status: "active", browser: "Chrome", os: "Mac OS", deviceType: "desktop" });
    expect(JSON.stringify(session)).not.toContain(token.split(".")[1]);

    const resolved = await engine.resolveSession(token);
    expect(resolved.authenticated).toBe(true);
    if (!resolved.authenticated) return;
    expect(resolved.user.id).toBe(userId);
    expect(resolved.roles).toEqual(["editor"]);
    expect(resolved.tenantId).toBe("acme");
    expect(resolved.kind).toBe("user");
    expect(resolved.session.metadata).toEqual({ plan: "pro" });
  });

  it("refuses malformed, unknown and altered tokens with distinct reasons, creating nothing", async () => {
    const { engine } = createTestEngine(db);
    const { token, session } = await engine.createSession({ userId: uniqueUser() });
    const [, secret] = token.split(".") as [string, string];
    const before = await db.database.prisma.session.count();

    const cases: [unknown, string, string][] = [
      ["not a token", "MALFORMED", ErrorCode.TOKEN_MALFORMED],
      [{ not: "" }, "MALFORMED", ErrorCode.TOKEN_MALFORMED],
      [null, "MALFORMED", ErrorCode.TOKEN_MALFORMED],
      [`lko_${session.id}.${secret}`, "MALFORMED", ErrorCode.TOKEN_MALFORMED],
      [`lks_${"A".repeat(22)}.${secret}`, "UNKNOWN", ErrorCode.SESSION_NOT_FOUND],
      [`lks_${session.id}.${"B".repeat(43)}`, "SECRET_MISMATCH", ErrorCode.SESSION_NOT_FOUND],
      [`lks_${session.id}.${secret.slice(0, 42)}`, "MALFORMED", ErrorCode.TOKEN_MALFORMED],
    ];
    for (const [presented, reason, code] of cases) {
      const result = await engine.resolveSession(presented);
      expect(result, JSON.stringify(presented)).toMatchObject({ authenticated: false, reason, code });
    }
    expect(await db.database.prisma.session.count()).toBe(before);
  });

  it("refuses the stored hash presented as a token", async () => {
    const { engine } = createTestEngine(db);
    const { session } = await engine.createSession({ userId: uniqueUser() });
    const row = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    const result = await engine.resolveSession(`lks_${session.id}.${row.secretHash}`);
    expect(result.authenticated).toBe(false);
  });

  it("keeps no usable token in the database: only the SHA-256 of the secret", async () => {
    const { engine } = createTestEngine(db);
    const { token, session } = await engine.createSession({ userId: uniqueUser() });
    const [, secret] = token.split(".") as [string, string];
    const row = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.secretHash).toBe(hashSecret(secret));
    const events = await db.database.prisma.auditEvent.findMany({ where: { sessionId: session.id } });
    const dump = JSON.stringify({ row, events });
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(token);
  });

  it("validateSession throws the typed error; bad input is VALIDATION_FAILED naming the field", async () => {
    const { engine } = createTestEngine(db);
    await expectCode(engine.validateSession("junk"), ErrorCode.TOKEN_MALFORMED);
    await expectCode(engine.createSession({ userId: "" }), ErrorCode.VALIDATION_FAILED);
    await expectCode(engine.createSession({ userId: "u", ip: "999.1.1.1" }), ErrorCode.VALIDATION_FAILED);
    await expectCode(
      engine.createSession({ userId: "u", idleTimeoutSeconds: 100, absoluteTimeoutSeconds: 10 }),
      ErrorCode.VALIDATION_FAILED,
    );
    const error = await engine.createSession({ userId: "u", extra: true } as never).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/extra/);
  });
});

describe("idle timeout and absolute cap", () => {
  it("an untouched session is live 1 s before the idle timeout and refused 1 s after", async () => {
    const { engine, clock } = createTestEngine(db, { idleTimeoutSeconds: 30 * 60 });
    const { token } = await engine.createSession({ userId: uniqueUser() });
    const a = await engine.createSession({ userId: uniqueUser() });
    clock.advance(30 * MINUTE - SECOND);
    expect((await engine.resolveSession(token)).authenticated).toBe(true);

    clock.advance(2 * SECOND);
    // The first token was touched at 29:59, so it is still live; the second was never touched.
    expect((await engine.resolveSession(token)).authenticated).toBe(true);
    expect(await engine.resolveSession(a.token)).toMatchObject({ authenticated: false, reason: "IDLE_EXPIRED" });
  });

  it("activity slides the idle expiry, clamped to the absolute cap, and nothing passes the cap", async () => {
    const { engine, clock } = createTestEngine(db, {
      idleTimeoutSeconds: 60 * 60,
      absoluteTimeoutSeconds: DAY / SECOND,
      touchIntervalSeconds: 60,
    });
    const { token, session } = await engine.createSession({ userId: uniqueUser() });
    const cap = session.absoluteExpiresAt.getTime();
    // Touch every half idle period until past the cap.
    for (let elapsed = 0; elapsed < DAY - 30 * MINUTE; elapsed += 30 * MINUTE) {
      clock.advance(30 * MINUTE);
      const result = await engine.resolveSession(token);
      expect(result.authenticated).toBe(true);
      if (result.authenticated) expect(result.session.idleExpiresAt.getTime()).toBeLessThanOrEqual(cap);
    }
    const refreshed = await engine.refreshSession(token);
    expect(refreshed.session.idleExpiresAt.getTime()).toBe(cap);
    clock.set(cap - SECOND);
    expect((await engine.resolveSession(token)).authenticated).toBe(true);
    clock.set(cap);
    expect(await engine.resolveSession(token)).toMatchObject({ authenticated: false, reason: "ABSOLUTE_EXPIRED" });
    await expectCode(engine.refreshSession(token), ErrorCode.SESSION_EXPIRED);
  });

  it("writes last-seen at most once per touch interval", async () => {
    const { engine, clock } = createTestEngine(db, { touchIntervalSeconds: 60 });
    const { token, session } = await engine.createSession({ userId: uniqueUser() });
    clock.advance(30 * SECOND);
    await engine.resolveSession(token);
    let row = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.lastSeenAt.getTime()).toBe(session.createdAt.getTime());
    clock.advance(31 * SECOND);
    await engine.resolveSession(token);
    row = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.lastSeenAt.getTime()).toBe(clock.now().getTime());
  });

  it("honours per-call timeouts", async () => {
    const { engine, clock } = createTestEngine(db);
    const { token, session } = await engine.createSession({ userId: uniqueUser(), idleTimeoutSeconds: 60, absoluteTimeoutSeconds: 120 });
    expect(session.absoluteExpiresAt.getTime() - session.createdAt.getTime()).toBe(120 * SECOND);
    clock.advance(61 * SECOND);
    expect(await engine.resolveSession(token)).toMatchObject({ authenticated: false, reason: "IDLE_EXPIRED" });
  });

  it("a late touch does not bring back a session revoked meanwhile", async () => {
    const { engine, clock } = createTestEngine(db);
    const { session } = await engine.createSession({ userId: uniqueUser() });
    await engine.revokeSession(session.id, { reason: "REVOKED" });
    clock.advance(5 * MINUTE);
    // What a slow request that resolved the session before the revoke would write now:
    const touched = await db.repository.touchSession("default", session.id, clock.now(), clock.now(), new Date(clock.now().getTime() + 30 * MINUTE));
    expect(touched).toBe(false);
    const row = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.revokedAt).not.toBeNull();
    expect(row.lastSeenAt.getTime()).toBe(session.lastSeenAt.getTime());
  });
});

describe("rotation and reuse detection", () => {
  it("rotates: new token works, old one is revoked ROTATED and linked both ways", async () => {
    const { engine } = createTestEngine(db);
    const first = await engine.createSession({ userId: uniqueUser(), tenantId: "t1", roles: ["a"] });
    const second = await engine.rotateSession(first.token);
    expect(second.token).not.toBe(first.token);
    expect(second.session).toMatchObject({
      rotatedFromId: first.session.id,
      familyId: first.session.id,
      tenantId: "t1",
      roles: ["a"],
      absoluteExpiresAt: first.session.absoluteExpiresAt,
    });
    const old = await engine.getSession(first.session.id);
    expect(old).toMatchObject({ status: "revoked", revokedReason: "ROTATED", rotatedToId: second.session.id });
    expect((await engine.resolveSession(second.token)).authenticated).toBe(true);
  });

  it("inside the grace window the old token still resolves and is not treated as theft", async () => {
    const { engine, clock } = createTestEngine(db, { rotationGraceSeconds: 10 });
    const first = await engine.createSession({ userId: uniqueUser() });
    const second = await engine.rotateSession(first.token);
    clock.advance(5 * SECOND);
    expect((await engine.resolveSession(first.token)).authenticated).toBe(true);
    await expectCode(engine.rotateSession(first.token), ErrorCode.ROTATION_CONFLICT);
    expect((await engine.resolveSession(second.token)).authenticated).toBe(true);
  });

  it("after the grace window, a rotated token revokes the whole family and is audited", async () => {
    const { engine, clock } = createTestEngine(db, { rotationGraceSeconds: 10 });
    const first = await engine.createSession({ userId: uniqueUser() });
    const second = await engine.rotateSession(first.token);
    clock.advance(SECOND);
    const third = await engine.rotateSession(second.token);
    clock.advance(11 * SECOND);
    expect(await engine.resolveSession(first.token)).toMatchObject({ authenticated: false, reason: "REUSE_DETECTED", code: "TOKEN_REUSED" });
    expect(await engine.resolveSession(third.token)).toMatchObject({ authenticated: false, reason: "REVOKED", revokedReason: "REUSE_DETECTED" });
    const events = (await engine.listEvents({ sessionId: first.session.id })).items;
    expect(events.map((event) => event.type)).toContain("session.reuse_detected");
  });

  it("a token altered in its secret never triggers reuse detection", async () => {
    const { engine, clock } = createTestEngine(db);
    const first = await engine.createSession({ userId: uniqueUser() });
    const second = await engine.rotateSession(first.token);
    clock.advance(MINUTE);
    const forged = `lks_${first.session.id}.${"C".repeat(43)}`;
    expect(await engine.resolveSession(forged)).toMatchObject({ reason: "SECRET_MISMATCH" });
    expect((await engine.resolveSession(second.token)).authenticated).toBe(true);
  });
});

describe("revocation", () => {
  it("revokeSession ends one session with reason, actor and note, refused at once", async () => {
    const { engine } = createTestEngine(db);
    const { token, session } = await engine.createSession({ userId: uniqueUser() });
    const changed = await engine.revokeSession(session.id, { reason: "REVOKED", note: "ticket 4711" }, { type: "user", id: "u-support", label: "support@example.com" });
    expect(changed).toBe(true);
    expect(await engine.resolveSession(token)).toMatchObject({
      authenticated: false,
      reason: "REVOKED",
      revokedReason: "REVOKED",
      revokedBy: "user:support@example.com",
    });
    expect(await engine.revokeSession(session.id)).toBe(false);
    const [revokedEvent] = (await engine.listEvents({ sessionId: session.id, type: "session.revoked" })).items;
    expect(revokedEvent).toMatchObject({ actorType: "user", actorId: "u-support", details: { reason: "REVOKED", note: "ticket 4711" } });
  });

  it("revoking with an owner refuses another user's session like an unknown one", async () => {
    const { engine } = createTestEngine(db);
    const mine = await engine.createSession({ userId: uniqueUser("owner") });
    const theirs = await engine.createSession({ userId: uniqueUser("other") });
    await expectCode(engine.revokeSession(theirs.session.id, {}, undefined, { ownerUserId: mine.session.userId }), ErrorCode.SESSION_NOT_FOUND);
    await expectCode(engine.revokeSession("A".repeat(22), {}, undefined, { ownerUserId: mine.session.userId }), ErrorCode.SESSION_NOT_FOUND);
    expect((await engine.resolveSession(theirs.token)).authenticated).toBe(true);
  });

  it("log out everywhere revokes every session of user A and none of user B", async () => {
    const { engine, clock } = createTestEngine(db);
    const userA = uniqueUser("a");
    const userB = uniqueUser("b");
    const a = await Promise.all([1, 2, 3].map(() => engine.createSession({ userId: userA })));
    const b = await Promise.all([1, 2].map(() => engine.createSession({ userId: userB })));
    expect(await engine.revokeUserSessions(userA, { note: "lost phone" }, { type: "user", id: "op-1", label: "ops@example.com" })).toBe(3);
    for (const { token } of a) expect(await engine.resolveSession(token)).toMatchObject({ reason: "REVOKED", revokedReason: "LOGGED_OUT_EVERYWHERE" });
    for (const { token } of b) expect((await engine.resolveSession(token)).authenticated).toBe(true);
    // One event per revoked session, written with its id and owner, and one summary.
    const events = (await engine.listEvents({ userId: userA, type: "session.revoked" })).items;
    expect(events.map((e) => e.sessionId).sort()).toEqual(a.map(({ session }) => session.id).sort());
    for (const e of events) {
      expect(e).toMatchObject({ userId: userA, actorType: "user", actorId: "op-1", actorLabel: "ops@example.com", details: { reason: "LOGGED_OUT_EVERYWHERE", note: "lost phone" } });
      expect(e.at.getTime()).toBe(clock.now().getTime());
    }
    const summary = (await engine.listEvents({ userId: userA, type: "user.sessions_revoked" })).items;
    expect(summary).toHaveLength(1);
    expect(summary[0]!.details).toMatchObject({ revoked: 3, note: "lost phone" });
    expect(await engine.revokeUserSessions(userA)).toBe(0);
    expect(await engine.listUserSessions(userB)).toHaveLength(2);
  });

  it("can spare the caller's own session when signing out the others", async () => {
    const { engine } = createTestEngine(db);
    const userId = uniqueUser();
    const keep = await engine.createSession({ userId });
    await engine.createSession({ userId });
    expect(await engine.revokeUserSessions(userId, {}, undefined, { exceptSessionId: keep.session.id })).toBe(1);
    expect((await engine.listUserSessions(userId)).map((s) => s.id)).toEqual([keep.session.id]);
  });

  it("disabling a user ends every session and refuses new ones", async () => {
    const { engine } = createTestEngine(db);
    const userId = uniqueUser();
    const one = await engine.createSession({ userId });
    await engine.createSession({ userId });
    expect(await engine.disableUser(userId, "left the company")).toBe(2);
    expect(await engine.resolveSession(one.token)).toMatchObject({ authenticated: false, revokedReason: "USER_DISABLED" });
    await expectCode(engine.createSession({ userId }), ErrorCode.USER_DISABLED);
    await engine.enableUser(userId);
    expect((await engine.createSession({ userId })).session.status).toBe("active");
  });
});

describe("device labels, tenants, guests", () => {
  it("relabels a device and switches a tenant in place, audited", async () => {
    const { engine } = createTestEngine(db);
    const { token, session } = await engine.createSession({ userId: uniqueUser(), tenantId: "old" });
    expect((await engine.setDeviceLabel(session.id, "Kitchen iPad")).deviceLabel).toBe("Kitchen iPad");
    expect((await engine.setTenant(session.id, "new")).tenantId).toBe("new");
    const resolved = await engine.validateSession(token);
    expect(resolved.tenantId).toBe("new");
    expect(resolved.session.id).toBe(session.id);
    const types = (await engine.listEvents({ sessionId: session.id })).items.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["session.created", "session.label_changed", "session.tenant_changed"]));
    await expectCode(engine.setDeviceLabel(session.id, "x".repeat(101)), ErrorCode.VALIDATION_FAILED);
    await expectCode(engine.setDeviceLabel("A".repeat(22), "x"), ErrorCode.SESSION_NOT_FOUND);
  });

  it("a label change restricted to an owner does not touch another user's session", async () => {
    const { engine } = createTestEngine(db);
    const theirs = await engine.createSession({ userId: uniqueUser(), deviceLabel: "theirs" });
    await expectCode(engine.setDeviceLabel(theirs.session.id, "mine now", undefined, { ownerUserId: "someone-else" }), ErrorCode.SESSION_NOT_FOUND);
    expect((await engine.getSession(theirs.session.id))?.deviceLabel).toBe("theirs");
  });

  it("upgrades a guest: new token, guest id recorded, the old token refused afterwards", async () => {
    const { engine, clock } = createTestEngine(db, { rotationGraceSeconds: 0 });
    const guest = await engine.createGuestSession({ userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148" });
    expect(guest.session.kind).toBe("guest");
    expect(guest.session.userId).toMatch(/^guest_/);
    const userId = uniqueUser();
    const upgraded = await engine.upgradeGuestSession(guest.token, userId);
    expect(upgraded.session).toMatchObject({ kind: "user", userId, guestUserId: guest.session.userId, rotatedFromId: guest.session.id });
    expect((await engine.validateSession(upgraded.token)).user.id).toBe(userId);
    // The guest token presented again after the upgrade is a replayed token: its family ends.
    clock.advance(SECOND);
    expect(await engine.resolveSession(guest.token)).toMatchObject({ authenticated: false, reason: "REUSE_DETECTED" });
    expect(await engine.resolveSession(upgraded.token)).toMatchObject({ authenticated: false, revokedReason: "REUSE_DETECTED" });
    const user = await engine.createSession({ userId: uniqueUser() });
    await expectCode(engine.upgradeGuestSession(user.token, "x"), ErrorCode.NOT_A_GUEST_SESSION);
  });
});

describe("re-authentication", () => {
  it("records a fresh sign-in on a live session only, audited; rotation keeps the time", async () => {
    const { engine, clock } = createTestEngine(db);
    const { token, session } = await engine.createSession({ userId: uniqueUser() });
    expect(session.authenticatedAt?.getTime()).toBe(clock.now().getTime());
    clock.advance(20 * MINUTE);
    const confirmed = await engine.confirmAuthentication(session.id);
    expect(confirmed.authenticatedAt?.getTime()).toBe(clock.now().getTime());
    clock.advance(MINUTE);
    const rotated = await engine.rotateSession(token);
    expect(rotated.session.authenticatedAt?.getTime()).toBe(confirmed.authenticatedAt?.getTime());
    await engine.revokeSession(rotated.session.id);
    await expectCode(engine.confirmAuthentication(rotated.session.id), ErrorCode.SESSION_NOT_FOUND);
    expect((await engine.listEvents({ sessionId: session.id, type: "session.reauthenticated" })).items.length).toBe(1);
  });
});

describe("listing", () => {
  it("lists every status with filters, sorting and keyset pages that neither skip nor repeat", async () => {
    const { engine, clock } = createTestEngine(db, { idleTimeoutSeconds: 600 }, new Date("2026-05-01T00:00:00Z"));
    const tenantId = `list-${randomBytes(4).toString("hex")}`;
    const userId = uniqueUser("lister");
    const created = [];
    for (let i = 0; i < 7; i++) {
      created.push(
        await engine.createSession({
          userId,
          tenantId,
          ip: `10.9.0.${i}`,
          userAgent: i % 2 ? "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0" : "curl/8.0",
        }),
      );
      clock.advance(MINUTE);
    }
    await engine.revokeSession(created[0]!.session.id);
    // Now 12 minutes in: sessions 0 and 1 (created at minutes 0 and 1) are past their 10-minute idle timeout.
    clock.advance(5 * MINUTE);

    const all = await engine.listSessions({ tenantId, limit: 100 });
    expect(all.items).toHaveLength(7);
    expect(all.items.map((s) => s.createdAt.getTime())).toEqual([...all.items.map((s) => s.createdAt.getTime())].sort((a, b) => b - a));

    const statuses = new Set(all.items.map((s) => s.status));
    expect(statuses.has("revoked")).toBe(true);
    expect(statuses.has("idle-expired")).toBe(true);
    expect(statuses.has("active")).toBe(true);

    const revoked = await engine.listSessions({ tenantId, status: ["revoked"] });
    expect(revoked.items.map((s) => s.id)).toEqual([created[0]!.session.id]);
    const active = await engine.listSessions({ tenantId, status: ["active"] });
    expect(active.items.every((s) => s.status === "active")).toBe(true);
    const idle = await engine.listSessions({ tenantId, status: ["idle-expired"] });
    expect(idle.items.every((s) => s.status === "idle-expired")).toBe(true);
    expect(active.items.length + idle.items.length + revoked.items.length).toBe(7);

    expect((await engine.listSessions({ tenantId, device: "firefox" })).items).toHaveLength(3);
    expect((await engine.listSessions({ tenantId, ip: "10.9.0.3" })).items).toHaveLength(1);
    expect((await engine.listSessions({ tenantId, ip: "10.9." })).items).toHaveLength(7);
    expect((await engine.listSessions({ user: userId, limit: 100 })).items).toHaveLength(7);
    const from = created[2]!.session.createdAt;
    expect((await engine.listSessions({ tenantId, createdFrom: from })).items).toHaveLength(5);

    for (const order of ["asc", "desc"] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.listSessions({ tenantId, sort: "lastSeenAt", order, limit: 3, cursor });
        seen.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
    }
    await expectCode(engine.listSessions({ cursor: "garbage" }), ErrorCode.VALIDATION_FAILED);

    // Live sessions signed in at the same instant: pages of them, either way, hold each once, in
    // one order (on PostgreSQL, with few sessions live, read whole and ordered in memory).
    const sameInstant = `same-${tenantId}`;
    const together = await Promise.all(Array.from({ length: 7 }, () => engine.createSession({ userId, tenantId: sameInstant })));
    await engine.revokeSession(together[3]!.session.id);
    const orders: string[][] = [];
    for (const order of ["asc", "desc"] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await engine.listSessions({ tenantId: sameInstant, status: ["active"], order, limit: 2, cursor });
        seen.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(seen)).toEqual(new Set(together.filter((_, i) => i !== 3).map((t) => t.session.id)));
      expect(seen).toHaveLength(6);
      orders.push(seen);
    }
    expect(orders[1]).toEqual([...orders[0]!].reverse());
    expect(await engine.countSessions({ tenantId: sameInstant, status: ["active"] })).toEqual({ count: 6, more: false });
    expect(await engine.countSessions({ tenantId: sameInstant, status: ["active"] }, 4)).toEqual({ count: 4, more: true });
    await expectCode(engine.listSessions({ status: ["sleeping"] } as never), ErrorCode.VALIDATION_FAILED);
  });

  it("filters by device text in the label, browser, OS or user agent, through relabels and sweeps", async () => {
    const own = await createTestDatabase();
    try {
      const { engine, clock } = createTestEngine(own);
      const phone = await engine.createSession({
        userId: uniqueUser(),
        deviceLabel: "Grandma's tablet",
        userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      });
      const laptop = await engine.createSession({
        userId: uniqueUser(),
        deviceLabel: "50%_off laptop",
        userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
      });
      const bare = await engine.createSession({ userId: uniqueUser(), userAgent: "curl/8.0" });
      const found = async (device: string) => (await engine.listSessions({ device, limit: 100 })).items.map((s) => s.id).sort();

      expect(await found("GRANDMA'S")).toEqual([phone.session.id]);
      expect(await found("firefox")).toEqual([laptop.session.id]);
      expect(await found("Windows")).toEqual([laptop.session.id]);
      expect(await found("iOS")).toEqual([phone.session.id]);
      expect(await found("iphone os 17")).toEqual([phone.session.id]);
      expect(await found("cu")).toEqual([bare.session.id]);
      expect(await found("Mozilla")).toEqual([phone.session.id, laptop.session.id].sort());
      expect(await found("50%_")).toEqual([laptop.session.id]);
      expect(await found("5_%")).toEqual([]);
      expect(await found("Nokia")).toEqual([]);

      await engine.setDeviceLabel(phone.session.id, "Living room");
      expect(await found("grandma")).toEqual([]);
      expect(await found("living ROOM")).toEqual([phone.session.id]);

      // Many distinct matching labels: the search walks the sort index instead, same answer.
      const tenantId = uniqueUser("tenant");
      for (let i = 0; i < 510; i++) await engine.createSession({ userId: uniqueUser(), tenantId, deviceLabel: `Desk ${i}` });
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await engine.listSessions({ device: "desk", limit: 200, cursor });
        total += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(total).toBe(510);

      await engine.revokeSession(laptop.session.id);
      clock.advance(MINUTE);
      await engine.sweepSessions({ retentionSeconds: 0 });
      expect(await found("firefox")).toEqual([]);
      // The table of distinct device texts lets go of the values only swept sessions held, and of
      // a label renamed away.
      const values = await own.database.prisma.$queryRawUnsafe<{ value: string }[]>(`SELECT "value" FROM "SessionDeviceText"`);
      expect(values.map((row) => row.value)).not.toContain("50%_off laptop");
      expect(values.map((row) => row.value)).not.toContain("Firefox");
      expect(values.map((row) => row.value)).not.toContain("Grandma's tablet");
      expect(values.map((row) => row.value)).toContain("Living room");
    } finally {
      await own.drop();
    }
  }, 60_000);

  it("finds a console user's sessions by email", async () => {
    const { engine, clock } = createTestEngine(db);
    const userId = uniqueUser();
    const email = `${userId}@example.com`;
    await db.database.prisma.user.create({ data: { appId: "default", id: userId, email, createdAt: clock.now(), updatedAt: clock.now() } });
    await engine.createSession({ userId });
    const page = await engine.listSessions({ user: email.toUpperCase() });
    expect(page.items.map((s) => s.userId)).toEqual([userId]);
  });

  it("listUserSessions shows only live sessions, most recent first", async () => {
    const { engine, clock } = createTestEngine(db);
    const userId = uniqueUser();
    const a = await engine.createSession({ userId });
    clock.advance(MINUTE);
    const b = await engine.createSession({ userId });
    const c = await engine.createSession({ userId });
    await engine.revokeSession(c.session.id);
    expect((await engine.listUserSessions(userId)).map((s) => s.id)).toEqual([b.session.id, a.session.id]);
  });
});

describe("OAuth state", () => {
  it("is single use, carries its data, and expires", async () => {
    const { engine, clock } = createTestEngine(db);
    const { state, expiresAt } = await engine.issueOAuthState({ data: { returnTo: "/after" } });
    expect(state).toMatch(/^lko_/);
    expect(expiresAt.getTime() - clock.now().getTime()).toBe(10 * MINUTE);
    expect(await engine.consumeOAuthState(state)).toEqual({ returnTo: "/after" });
    await expectCode(engine.consumeOAuthState(state), ErrorCode.STATE_INVALID);

    const late = await engine.issueOAuthState({ ttlSeconds: 60 });
    clock.advance(60 * SECOND);
    await expectCode(engine.consumeOAuthState(late.state), ErrorCode.STATE_INVALID);

    const session = await engine.createSession({ userId: uniqueUser() });
    await expectCode(engine.consumeOAuthState(session.token), ErrorCode.STATE_INVALID);
    await expectCode(engine.consumeOAuthState("lko_nonsense"), ErrorCode.STATE_INVALID);
    expect((await engine.resolveSession((await engine.issueOAuthState()).state)).authenticated).toBe(false);
  });

  it("a wrong secret does not burn the state", async () => {
    const { engine } = createTestEngine(db);
    const { state } = await engine.issueOAuthState();
    const id = state.slice(4, 26);
    await expectCode(engine.consumeOAuthState(`lko_${id}.${"D".repeat(43)}`), ErrorCode.STATE_INVALID);
    expect(await engine.consumeOAuthState(state)).toBeNull();
  });
});
