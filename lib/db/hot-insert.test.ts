import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeClock } from "../sessions/clock";
import { resolveSessionConfig } from "../sessions/config";
import { createSessionEngine } from "../sessions/engine";
import { ErrorCode } from "../sessions/errors";
import { cachingRepository, createSessionCache } from "../sessions/session-cache";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { openHotStatements, type HotStatements } from "./hot-statements";

// Sign-ins written by prepared statements (lib/db/hot-statements.ts) instead of Prisma: the same
// rows, the same refusals, and on SQLite many sign-ins in one commit.

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

const ADMIN = { type: "user" as const, id: "op-admin", label: "admin@example.com" };

function engines() {
  const clock = createFakeClock(new Date("2026-03-01T12:00:00.000Z"));
  const config = resolveSessionConfig({});
  const fast = createSessionEngine({ repository: cachingRepository(db.repository, hot, createSessionCache({ maxEntries: 100, clock })), config, clock });
  const prisma = createSessionEngine({ repository: db.repository, config, clock });
  return { fast, prisma, clock };
}

async function rowsOf(sessionId: string) {
  const prisma = db.database.prisma;
  const session = await prisma.session.findUnique({ where: { id: sessionId } });
  const audit = await prisma.auditEvent.findMany({ where: { sessionId }, orderBy: { id: "asc" } });
  const user = session ? await prisma.user.findUnique({ where: { appId_id: { appId: session.appId, id: session.userId } } }) : null;
  return { session, audit, user };
}

/** A row with its identity and the moments it was written left out, to compare two paths' rows. */
function comparable(rows: Awaited<ReturnType<typeof rowsOf>>) {
  const { id: _id, secretHash: _hash, familyId: _family, userId: _user, ...session } = rows.session!;
  const audit = rows.audit.map(({ id: _id, sessionId: _session, userId: _user, details, ...event }) => ({ ...event, details: JSON.parse(details) as Record<string, unknown> }));
  const { id: _userId, email: _email, ...user } = rows.user!;
  return { session, audit, user };
}

describe(`sign-ins by prepared statements on ${TEST_PROVIDER}`, () => {
  it("write the same session, user and audit rows as Prisma's path", async () => {
    const { fast, prisma } = engines();
    const input = {
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ip: "203.0.113.9",
      deviceLabel: "Phone",
      tenantId: "acme",
      roles: ["editor"],
      metadata: { plan: "pro" },
      name: "Ada",
    };
    const a = await fast.app("default").createSession({ ...input, userId: "hot-parity-a", email: "hot-a@example.test" }, ADMIN);
    const b = await prisma.app("default").createSession({ ...input, userId: "hot-parity-b", email: "hot-b@example.test" }, ADMIN);
    const rowsA = await rowsOf(a.session.id);
    const rowsB = await rowsOf(b.session.id);
    expect(rowsA.user).toMatchObject({ email: "hot-a@example.test", name: "Ada" });
    expect(rowsA.audit).toHaveLength(1);
    expect(comparable(rowsA)).toEqual(comparable(rowsB));
    expect((await fast.app("default").resolveSession(a.token)).authenticated).toBe(true);
  });

  it("refuse a disabled user and write nothing, not even the name given", async () => {
    const { fast } = engines();
    const engine = fast.app("default");
    await engine.createSession({ userId: "hot-disabled", name: "Before" });
    await engine.disableUser("hot-disabled", "left the company", ADMIN);
    const prisma = db.database.prisma;
    const before = { sessions: await prisma.session.count(), events: await prisma.auditEvent.count() };
    await expect(engine.createSession({ userId: "hot-disabled", name: "After" })).rejects.toMatchObject({ code: ErrorCode.USER_DISABLED });
    expect({ sessions: await prisma.session.count(), events: await prisma.auditEvent.count() }).toEqual(before);
    expect((await prisma.user.findUnique({ where: { appId_id: { appId: "default", id: "hot-disabled" } } }))?.name).toBe("Before");
  });

  it("leave an email another user has to them, as Prisma's path does", async () => {
    const { fast } = engines();
    const engine = fast.app("default");
    await engine.createSession({ userId: "hot-email-owner", email: "shared@example.test" });
    const other = await engine.createSession({ userId: "hot-email-other", email: "shared@example.test", name: "Other" });
    const { user } = await rowsOf(other.session.id);
    expect(user).toMatchObject({ email: null, name: "Other" });
  });

  it("leave sessions of an application with a session limit to the path that counts them", async () => {
    const { fast } = engines();
    const app = await fast.createApplication({ name: `hot-limit-${Date.now()}`, policy: { sessionLimit: 1, sessionLimitAction: "REFUSE" } }, ADMIN);
    const engine = fast.app(app.id);
    await engine.createSession({ userId: "hot-limited" });
    await expect(engine.createSession({ userId: "hot-limited" })).rejects.toMatchObject({ code: ErrorCode.SESSION_LIMIT });
  });

  it("take 300 concurrent sign-ins, each with its audit row, and lose none", async () => {
    const { fast } = engines();
    const engine = fast.app("default");
    const prisma = db.database.prisma;
    const before = await prisma.auditEvent.count({ where: { type: "session.created" } });
    const issued = await Promise.all(Array.from({ length: 300 }, (_, i) => engine.createSession({ userId: `hot-storm-${i % 30}` })));
    expect(new Set(issued.map((item) => item.session.id)).size).toBe(300);
    expect(await prisma.session.count({ where: { id: { in: issued.map((item) => item.session.id) } } })).toBe(300);
    expect(await prisma.auditEvent.count({ where: { type: "session.created" } })).toBe(before + 300);
  });

  it("go on while Prisma holds a write transaction open, and never block it", async () => {
    const { fast } = engines();
    const engine = fast.app("default");
    const prisma = db.database.prisma;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // A transaction that spans turns of the event loop, as Prisma's interactive ones do.
    const transaction = prisma.$transaction(async (tx) => {
      await tx.user.upsert({ where: { appId_id: { appId: "default", id: "hot-held" } }, create: { appId: "default", id: "hot-held", createdAt: new Date(), updatedAt: new Date() }, update: {} });
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const during = engine.createSession({ userId: "hot-during" });
    setTimeout(release, 100);
    const issued = await during;
    await transaction;
    expect((await rowsOf(issued.session.id)).audit).toHaveLength(1);
  });

  it("issue OAuth states with their audit rows, 200 at once, each consumable once", async () => {
    const { fast } = engines();
    const engine = fast.app("default");
    const prisma = db.database.prisma;
    const before = await prisma.auditEvent.count({ where: { type: "oauth_state.issued" } });
    const states = await Promise.all(Array.from({ length: 200 }, (_, i) => engine.issueOAuthState({ data: { n: i } })));
    expect(await prisma.auditEvent.count({ where: { type: "oauth_state.issued" } })).toBe(before + 200);
    expect(await engine.consumeOAuthState(states[7]!.state)).toEqual({ n: 7 });
    await expect(engine.consumeOAuthState(states[7]!.state)).rejects.toMatchObject({ code: ErrorCode.STATE_INVALID });
  });

  it("a session that slipped past a disable (its transaction began first) does not come back when the user is enabled", async () => {
    const { fast } = engines();
    const engine = fast.app("default");
    const { token, session } = await engine.createSession({ userId: "hot-race" });
    await engine.disableUser("hot-race", "left", ADMIN);
    // What the race leaves: the disable's revocation ran before the sign-in committed.
    await db.database.prisma.session.update({ where: { id: session.id }, data: { revokedAt: null, revokedReason: null, revokedBy: null, revokeNote: null } });
    expect((await engine.resolveSession(token)).authenticated).toBe(false);
    await engine.enableUser("hot-race", ADMIN);
    const after = await engine.resolveSession(token);
    expect(after).toMatchObject({ authenticated: false, revokedReason: "USER_DISABLED" });
    // Enabling a user who is not disabled ends nothing.
    const kept = await engine.createSession({ userId: "hot-race" });
    await engine.enableUser("hot-race", ADMIN).catch(() => undefined);
    expect((await engine.resolveSession(kept.token)).authenticated).toBe(true);
  });
});

/** Whether `promise` settled within `ms`, and how. */
function settleWithin<T>(promise: Promise<T>, ms: number) {
  return Promise.race([
    promise.then(
      (value) => ({ settled: "ok" as const, value }),
      (error: unknown) => ({ settled: "error" as const, error }),
    ),
    new Promise<{ settled: "hung" }>((resolve) => setTimeout(() => resolve({ settled: "hung" }), ms)),
  ]);
}

if (TEST_PROVIDER === "sqlite") {
  describe("a SQLite sign-in batch whose transaction is rolled back as a whole", () => {
    it("answers every caller: those written before it with an error (nothing of theirs kept), those after through Prisma", async () => {
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown) => uncaught.push(error);
      process.on("uncaughtException", onUncaught);
      const prisma = db.database.prisma;
      // RAISE(ROLLBACK) stands in for the errors that end the whole transaction (a disk error).
      await prisma.$executeRawUnsafe(`CREATE TRIGGER test_rollback BEFORE INSERT ON "Session" WHEN NEW."userId" = 'hot-boom' BEGIN SELECT RAISE(ROLLBACK, 'the whole transaction is gone'); END`);
      try {
        const engine = engines().fast.app("default");
        await engine.createSession({ userId: "hot-warm" });
        // One batch: three sign-ins in one turn of the event loop.
        const calls = [engine.createSession({ userId: "hot-before" }), engine.createSession({ userId: "hot-boom" }), engine.createSession({ userId: "hot-after" })];
        const [before, boom, after] = await Promise.all(calls.map((call) => settleWithin(call, 3_000)));
        expect(uncaught).toEqual([]);
        expect([before!.settled, boom!.settled, after!.settled]).toEqual(["error", "error", "ok"]);
        expect(await prisma.session.count({ where: { userId: "hot-before" } })).toBe(0);
        expect(await prisma.session.count({ where: { userId: "hot-after" } })).toBe(1);
        // And the writer goes on.
        expect((await engine.createSession({ userId: "hot-next" })).session.userId).toBe("hot-next");
      } finally {
        process.off("uncaughtException", onUncaught);
        await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_rollback`);
      }
    });

    it("after close, sign-ins go through Prisma and the connection is not opened again", async () => {
      const own = openHotStatements(db.url);
      await own.close();
      const clock = createFakeClock(new Date("2026-03-01T12:00:00.000Z"));
      const engine = createSessionEngine({ repository: cachingRepository(db.repository, own, createSessionCache({ maxEntries: 10, clock })), config: resolveSessionConfig({}), clock }).app("default");
      const issued = await engine.createSession({ userId: "hot-after-close" });
      expect((await rowsOf(issued.session.id)).audit).toHaveLength(1);
      expect(await own.insertSession(issued.session as never, [])).toBe("fallback");
    });
  });
}
