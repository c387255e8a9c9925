import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { createPrismaSessionRepository } from "../db/session-repository";
import { createTestDatabase, createTestEngine, TEST_PROVIDER, uniqueUser, type TestDatabase } from "../testing/database";
import { createFakeClock } from "./clock";
import { resolveSessionConfig } from "./config";
import { createSessionEngine } from "./engine";
import { isSessionError } from "./errors";
import { DEFAULT_APP_ID } from "./policy";
import { createRefusalLog } from "./refusal-log";
import type { CreateSessionInput } from "./schemas";

// What the engine guarantees when input is hostile or a write fails half-way, on SQLite and on PostgreSQL.

const SECOND = 1000;
const MINUTE = 60 * SECOND;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (caught: unknown) => caught,
  );
}

describe(`hardening on ${TEST_PROVIDER}`, () => {
  it("a client-sent expiry is never taken: expiry fields are refused, and only the stored timestamps decide", async () => {
    const { engine, clock, config } = createTestEngine(db, { idleTimeoutSeconds: 30 * 60, absoluteTimeoutSeconds: 24 * 3600 });
    const userId = uniqueUser("expiry");
    const farFuture = new Date(clock.now().getTime() + 365 * 24 * 3600 * SECOND);
    const before = await db.database.prisma.session.count();
    for (const field of ["expiresAt", "idleExpiresAt", "absoluteExpiresAt", "lastSeenAt"]) {
      const forged = { userId, [field]: farFuture.toISOString() } as unknown as CreateSessionInput;
      const error = await failureOf(engine.createSession(forged));
      expect(isSessionError(error) && error.code, field).toBe("VALIDATION_FAILED");
    }
    // Longer timeouts than the policy's are refused as well: the policy is a ceiling.
    expect(await failureOf(engine.createSession({ userId, idleTimeoutSeconds: config.idleTimeoutSeconds + 1 }))).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await db.database.prisma.session.count()).toBe(before);

    const { token, session } = await engine.createSession({ userId });
    const stored = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(stored.idleExpiresAt.getTime()).toBe(clock.now().getTime() + 30 * MINUTE);
    expect(stored.absoluteExpiresAt.getTime()).toBe(clock.now().getTime() + 24 * 3600 * SECOND);

    // A token wrapped with an expiry of the client's is not a token.
    const wrapped = { token, idleExpiresAt: farFuture, absoluteExpiresAt: farFuture };
    expect(await engine.resolveSession(wrapped)).toMatchObject({ authenticated: false, reason: "MALFORMED" });
    expect(await failureOf(engine.refreshSession(wrapped))).toMatchObject({ code: "TOKEN_MALFORMED" });

    // Past the stored idle expiry, the session is refused, and a refresh cannot bring it back.
    clock.advance(30 * MINUTE);
    expect(await engine.resolveSession(token)).toMatchObject({ authenticated: false, reason: "IDLE_EXPIRED" });
    expect(await failureOf(engine.refreshSession(token))).toMatchObject({ code: "SESSION_EXPIRED" });
    const after = await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(after.idleExpiresAt).toEqual(stored.idleExpiresAt);
  });

  it("with a grace window of 0, the old token replayed in the same millisecond as its rotation is refused as reuse", async () => {
    const { engine, clock } = createTestEngine(db, { rotationGraceSeconds: 0 });
    const first = await engine.createSession({ userId: uniqueUser("grace") });
    const rotatedAt = clock.now().getTime();
    const second = await engine.rotateSession(first.token);
    expect(clock.now().getTime()).toBe(rotatedAt); // the fake clock has not moved
    expect(await engine.resolveSession(first.token)).toMatchObject({ authenticated: false, reason: "REUSE_DETECTED" });
    // Reuse detection ended the family: the successor is refused too.
    expect(await engine.resolveSession(second.token)).toMatchObject({ authenticated: false, reason: "REVOKED", revokedReason: "REUSE_DETECTED" });
  });

  describe("a rotation that fails half-way changes neither row", () => {
    // Faults injected inside the rotation's transaction, through a Prisma extension on the real
    // database: after the old row was swapped, and after the new row was inserted as well.
    const FAULTS = [
      { name: "the successor's insert", at: (model: string | undefined, operation: string) => model === "Session" && operation === "create" },
      { name: "the audit events' insert", at: (_model: string | undefined, operation: string, args: unknown) => operation === "$executeRawUnsafe" && JSON.stringify(args).includes('INSERT INTO \\"AuditEvent\\"') },
    ];

    for (const fault of FAULTS) {
      it(`a fault at ${fault.name}: both rows as before, the old token still works, a retry rotates once`, async () => {
        let armed = false;
        const faulty = db.database.prisma.$extends({
          query: {
            async $allOperations({ model, operation, args, query }) {
              if (armed && fault.at(model, operation, args)) {
                armed = false;
                throw new Error("injected fault");
              }
              return query(args);
            },
          },
        }) as unknown as Db;
        const repository = createPrismaSessionRepository({ ...db.database, prisma: faulty });
        const { engine } = createTestEngine({ ...db, repository });
        const { token, session } = await engine.createSession({ userId: uniqueUser("half-way") });
        const row = () => db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
        const before = await row();
        const events = () => db.database.prisma.auditEvent.count({ where: { sessionId: session.id } });
        const eventsBefore = await events();

        armed = true;
        await expect(engine.rotateSession(token)).rejects.toThrow("injected fault");
        expect(armed, "the fault was not reached").toBe(false);
        expect(await row()).toEqual(before);
        expect(await db.database.prisma.session.count({ where: { rotatedFromId: session.id } })).toBe(0);
        expect(await events()).toBe(eventsBefore);

        expect((await engine.resolveSession(token)).authenticated).toBe(true);
        const next = await engine.rotateSession(token);
        expect(await db.database.prisma.session.count({ where: { rotatedFromId: session.id } })).toBe(1);
        expect(await row()).toMatchObject({ revokedReason: "ROTATED", rotatedToId: next.session.id });
      });
    }
  });

  it("a user agent with line breaks and control characters is stored and answered harmlessly", async () => {
    const clock = createFakeClock(new Date("2026-03-01T12:00:00.000Z"));
    const refusals = createRefusalLog({ store: db.repository, clock, retentionSeconds: 3600, flushIntervalMs: 60_000 });
    const engine = createSessionEngine({ repository: db.repository, config: resolveSessionConfig(), clock, refusals }).app(DEFAULT_APP_ID);
    const agent = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0)\r\nX-Injected: yes\n\t\u0000\u0007\u001b[31m\u007f\u0085 <script>alert(1)</script> Gecko/20100101 Firefox/125.0";
    const userId = uniqueUser("agent");
    const { token, session } = await engine.createSession({ userId, userAgent: agent });

    const stored = (await db.database.prisma.session.findUniqueOrThrow({ where: { id: session.id } })).userAgent ?? "";
    // No control character is kept (no NUL for PostgreSQL, no line break or escape for logs,
    // CSV and terminals); every printable character is, markup included: rendering escapes it.
    expect(stored).not.toMatch(/\p{Cc}/u);
    expect(stored.replace(/\uFFFD/g, "")).toBe(agent.replace(/\p{Cc}/gu, ""));
    expect(session.userAgent).toBe(stored);
    expect(session.browser).toBe("Firefox");
    expect(JSON.parse(JSON.stringify(session))).toMatchObject({ userAgent: stored });
    expect((await engine.resolveSession(token)).authenticated).toBe(true);
    expect((await engine.listSessions({ device: "X-Injected" })).items.map((item) => item.id)).toEqual([session.id]);

    // The refusal log keeps the agent a refused request came with, cleaned the same way.
    await engine.revokeSession(session.id);
    await engine.resolveSession(token, { source: "agent-test", userAgent: agent });
    await refusals.flush();
    const [refusal] = await db.repository.listRefusals("default", { sessionId: session.id, limit: 1 });
    expect(refusal?.userAgent).toBe(stored);
  });

  it("logging out everywhere a user with no sessions, or no such user, writes no audit event", async () => {
    const { engine } = createTestEngine(db);
    const count = () => db.database.prisma.auditEvent.count();
    let before = await count();
    expect(await engine.revokeUserSessions(uniqueUser("nobody"))).toBe(0);
    expect(await count()).toBe(before);

    const userId = uniqueUser("ended");
    const { session } = await engine.createSession({ userId });
    await engine.revokeSession(session.id);
    before = await count();
    expect(await engine.revokeUserSessions(userId, { note: "ticket 1" })).toBe(0);
    expect(await count()).toBe(before);
    expect((await engine.listEvents({ userId, type: "user.sessions_revoked" })).items).toHaveLength(0);
  });
});
