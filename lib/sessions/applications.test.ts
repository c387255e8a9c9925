import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { resolveSessionConfig } from "./config";
import { createSessionEngine } from "./engine";
import { isSessionError } from "./errors";
import { ALL_APPS, CONSOLE_APP_ID, type SessionPolicy } from "./policy";
import { sessionStatus } from "./status";
import { generateId } from "./tokens";
import type { SessionRecord } from "./types";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ADMIN = { type: "user" as const, id: "op-admin", label: "admin@example.com" };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** Ids of the targets the isolation matrix tries: answers about them are compared with these blanked out. */
const TARGET_IDS = new Set<string>();

function blank(text: string): string {
  let result = text;
  for (const id of TARGET_IDS) result = result.split(id).join("<id>");
  return result.replace(/\b(outsider|unknown)-[\w-]+/g, "<user>");
}

/** What an attempt answered: a value, or an error's code (a thrown non-engine error fails the test). */
async function outcome(work: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await work();
    return { value: strip(value) };
  } catch (error) {
    if (!isSessionError(error)) throw error;
    return { code: error.code, message: blank(error.message) };
  }
}

/** An answer without the parts that differ between two unknown targets (their ids). */
function strip(value: unknown): unknown {
  return JSON.parse(blank(JSON.stringify(value ?? null)));
}

/** Every row of every table, to see that an attempt changed nothing. */
async function everything(): Promise<string> {
  const { prisma } = db.database;
  const tables = await Promise.all([
    prisma.application.findMany({ orderBy: { id: "asc" } }),
    prisma.user.findMany({ orderBy: [{ appId: "asc" }, { id: "asc" }] }),
    prisma.session.findMany({ orderBy: { id: "asc" } }),
    prisma.sweptSession.findMany({ orderBy: { id: "asc" } }),
    prisma.oAuthState.findMany({ orderBy: { id: "asc" } }),
    prisma.auditEvent.count(),
    prisma.refusal.count(),
    prisma.apiKey.findMany({ orderBy: { id: "asc" } }),
  ]);
  return JSON.stringify(tables);
}

describe(`applications on ${TEST_PROVIDER}`, () => {
  it("isolation matrix: an application's engine reaches only its own; another application's or the console's answers as unknown and changes nothing", async () => {
    const { root, clock } = createTestEngine(db, {}, new Date("2026-06-01T12:00:00Z"));
    const a = await root.createApplication({ name: `iso-a-${generateId()}` }, ADMIN);
    const b = await root.createApplication({ name: `iso-b-${generateId()}` }, ADMIN);
    const inA = root.app(a.id);
    const inB = root.app(b.id);
    const consoleEngine = root.app(CONSOLE_APP_ID);

    // Targets: the same user id in A, in B and in the console; a session, a guest, an OAuth state of each.
    const targets: Record<string, { token: string; sessionId: string; userId: string; guest: string; state: string }> = {};
    for (const [name, engine] of [
      ["A", inA],
      ["B", inB],
      ["console", consoleEngine],
    ] as const) {
      const userId = "shared-user-id";
      const { token, session } = await engine.createSession({ userId, tenantId: "t1", ip: "203.0.113.5" });
      // The console has neither guests nor OAuth states: its session token and an unknown state stand in.
      const guest = name === "console" ? { token } : await engine.createGuestSession({});
      const state = name === "console" ? { state: `lko_${generateId()}.${"B".repeat(43)}` } : await engine.issueOAuthState({ data: { from: name } });
      targets[name] = { token, sessionId: session.id, userId, guest: guest.token, state: state.state };
      for (const text of [session.id, guest.token.slice(4, 26), state.state.slice(4, 26)]) TARGET_IDS.add(text);
    }
    // An unknown target of the same shapes, for what "unknown" answers.
    const unknown = {
      token: `lks_${generateId()}.${generateId()}${generateId()}`.slice(0, 70),
      sessionId: generateId(),
      userId: `unknown-${generateId()}`,
      guest: `lks_${generateId()}.${"A".repeat(43)}`,
      state: `lko_${generateId()}.${"A".repeat(43)}`,
    };
    clock.advance(2 * MINUTE);

    for (const text of [unknown.sessionId, unknown.token.slice(4, 26), unknown.guest.slice(4, 26), unknown.state.slice(4, 26)]) TARGET_IDS.add(text);
    type Target = typeof unknown;
    const verbs: [string, (engine: typeof inA, target: Target) => Promise<unknown>][] = [
      ["resolve", (e, t) => e.resolveSession(t.token)],
      ["validate", (e, t) => e.validateSession(t.token)],
      ["refresh", (e, t) => e.refreshSession(t.token)],
      ["rotate", (e, t) => e.rotateSession(t.token)],
      ["upgrade a guest", (e, t) => e.upgradeGuestSession(t.guest, "new-user")],
      ["get", (e, t) => e.getSession(t.sessionId)],
      ["get or throw", (e, t) => e.getSessionOrThrow(t.sessionId)],
      ["get swept", (e, t) => e.getSweptSession(t.sessionId)],
      ["list by session id", (e, t) => e.listSessions({ sessionId: t.sessionId })],
      ["list by user", (e, t) => e.listSessions({ userId: t.userId === "shared-user-id" ? `outsider-${t.sessionId}` : t.userId })],
      ["list a user's live sessions", (e, t) => e.listUserSessions(t.userId === "shared-user-id" ? `outsider-${t.sessionId}` : t.userId)],
      ["relabel", (e, t) => e.setDeviceLabel(t.sessionId, "stolen")],
      ["switch tenant", (e, t) => e.setTenant(t.sessionId, "evil")],
      ["revoke", (e, t) => e.revokeSession(t.sessionId, { reason: "REVOKED" })],
      ["confirm authentication", (e, t) => e.confirmAuthentication(t.sessionId)],
      ["events of the session", (e, t) => e.listEvents({ sessionId: t.sessionId })],
      ["diagnose the token", (e, t) => e.diagnose({ token: t.token })],
      ["diagnose the session", (e, t) => e.diagnose({ sessionId: t.sessionId })],
      ["consume the state", (e, t) => e.consumeOAuthState(t.state)],
      ["revoke by filter (session id)", (e, t) => e.revokeMatchingSessions({ filter: { sessionId: t.sessionId }, note: "x" })],
    ];
    for (const [engineName, engine] of [
      ["A", inA],
      ["B", inB],
    ] as const) {
      for (const [verb, attempt] of verbs) {
        const asUnknown = await outcome(() => attempt(engine, unknown));
        for (const targetName of ["A", "B", "console"].filter((name) => name !== engineName)) {
          const before = await everything();
          const answer = await outcome(() => attempt(engine, targets[targetName]!));
          expect(answer, `${engineName}'s ${verb} of ${targetName}'s target`).toEqual(asUnknown);
          expect(await everything(), `${engineName}'s ${verb} of ${targetName}'s target changed a row`).toBe(before);
        }
      }
    }
    // Users are per application: A's "shared-user-id" is not B's, nor the console's.
    await inA.revokeUserSessions("shared-user-id", { note: "A only" });
    expect((await inB.resolveSession(targets.B!.token)).authenticated).toBe(true);
    expect((await consoleEngine.resolveSession(targets.console!.token)).authenticated).toBe(true);
    expect((await inA.resolveSession(targets.A!.token)).authenticated).toBe(false);
    const before = await everything();
    expect(await inA.revokeUserSessions(`never-seen-${generateId()}`)).toBe(0);
    expect(await everything()).toBe(before);

    // Its own targets it reaches.
    expect((await inB.getSession(targets.B!.sessionId))?.appId).toBe(b.id);
    expect(await inB.consumeOAuthState(targets.B!.state)).toEqual({ from: "B" });
  });

  it("an operator's page or admin call about an application reaches any application by id or name, never the console's own", async () => {
    const { root } = createTestEngine(db);
    const name = `client-${generateId()}`;
    const app = await root.createApplication({ name }, ADMIN);
    expect((await root.findClientApplication(app.id))?.id).toBe(app.id);
    expect((await root.findClientApplication(name))?.id).toBe(app.id);
    expect(await root.findClientApplication(CONSOLE_APP_ID)).toBeNull();
    expect(await root.findClientApplication("console")).toBeNull();
    expect((await root.findApplication(CONSOLE_APP_ID))?.id).toBe(CONSOLE_APP_ID);
    expect(await root.findClientApplication("no-such-application")).toBeNull();
  });

  it("the applications list counts each one's live sessions; at scale the counts are shared, as of their computation, and refreshed after a minute", async () => {
    const { root, clock } = createTestEngine(db);
    const first = await root.createApplication({ name: `count-${generateId()}` }, ADMIN);
    const second = await root.createApplication({ name: `count-${generateId()}` }, ADMIN);
    await root.app(first.id).createSession({ userId: "a" });
    await root.app(first.id).createSession({ userId: "b" });
    const ended = await root.app(first.id).createSession({ userId: "c" });
    await root.app(first.id).revokeSession(ended.session.id);
    await root.app(second.id).createSession({ userId: "a" });
    const counts = (list: Awaited<ReturnType<typeof root.listApplications>>) => [first.id, second.id].map((id) => list.value.find((app) => app.id === id)?.liveSessions);
    const live = await root.listApplications();
    expect(counts(live)).toEqual([2, 1]);
    expect(live).toMatchObject({ live: true, asOf: clock.now() });

    // Counts that took any time at all to compute are shared: the next read gets them as they were.
    const shared = createSessionEngine({ repository: db.repository, config: resolveSessionConfig({}), clock, figuresOptions: { liveBelowMs: 0 } });
    const computedAt = clock.now();
    expect(counts(await shared.listApplications())).toEqual([2, 1]);
    await shared.app(second.id).createSession({ userId: "b" });
    clock.advance(30_000);
    const held = await shared.listApplications();
    expect(counts(held)).toEqual([2, 1]);
    expect(held).toMatchObject({ live: false, asOf: computedAt });
    // An application made since is listed at once, with no count until the next computation.
    const third = await shared.createApplication({ name: `count-${generateId()}` }, ADMIN);
    expect((await shared.listApplications()).value.find((app) => app.id === third.id)?.liveSessions).toBe(0);
    // Older than a minute: the read still answers at once, and starts a new computation.
    clock.advance(31_000);
    expect(counts(await shared.listApplications())).toEqual([2, 1]);
    await expect.poll(async () => counts(await shared.listApplications())).toEqual([2, 2]);
    expect((await shared.listApplications()).asOf).toEqual(clock.now());
  });

  it("a sessions filter naming a person finds their sessions in every application, by id or by email, and no one else's", async () => {
    const { root } = createTestEngine(db);
    const one = await root.createApplication({ name: `person-${generateId()}` }, ADMIN);
    const two = await root.createApplication({ name: `person-${generateId()}` }, ADMIN);
    const id = `pat-${generateId()}`;
    const email = `${id}@example.com`;
    const s1 = await root.app(one.id).createSession({ userId: id, email });
    const s2 = await root.app(two.id).createSession({ userId: id });
    const s3 = await root.app(two.id).createSession({ userId: `alias-${generateId()}`, email });
    await root.app(one.id).createSession({ userId: `other-${generateId()}` });
    const all = root.app(ALL_APPS);
    const ids = async (engine: ReturnType<typeof root.app>, filter: { user?: string; userId?: string }) => {
      const page = await engine.listSessions(filter);
      expect((await engine.countSessions(filter)).count).toBe(page.items.length);
      return page.items.map((item) => item.id).sort();
    };
    expect(await ids(all, { user: id })).toEqual([s1.session.id, s2.session.id].sort());
    expect(await ids(all, { user: email.toUpperCase() })).toEqual([s1.session.id, s3.session.id].sort());
    expect(await ids(all, { userId: id })).toEqual([s1.session.id, s2.session.id].sort());
    expect(await ids(all, { userId: email })).toEqual([]);
    expect(await ids(root.app(one.id), { user: email })).toEqual([s1.session.id]);
    expect(await ids(root.app(two.id), { user: id })).toEqual([s2.session.id]);
    expect(await ids(all, { user: `nobody-${generateId()}` })).toEqual([]);
  });

  it("a session an application makes for a console account's id is that application's user, never a console credential", async () => {
    const { root } = createTestEngine(db);
    const app = await root.createApplication({ name: `esc-${generateId()}` }, ADMIN);
    const adminId = `u_${generateId()}`;
    await db.database.prisma.user.create({
      data: { appId: CONSOLE_APP_ID, id: adminId, email: `${adminId}@example.com`, consoleRole: "ADMIN", passwordHash: "x", createdAt: new Date(), updatedAt: new Date() },
    });
    const minted = await root.app(app.id).createSession({ userId: adminId });
    expect(minted.session.appId).toBe(app.id);
    const asConsole = await root.app(CONSOLE_APP_ID).resolveSession(minted.token);
    expect(asConsole).toMatchObject({ authenticated: false, reason: "UNKNOWN" });
    const asApp = await root.app(app.id).resolveSession(minted.token);
    expect(asApp.authenticated && asApp.user).toMatchObject({ appId: app.id, id: adminId, consoleRole: null, email: null });
  });

  it("a disabled application's sessions resolve as APP_DISABLED and none starts; enabled again, they work", async () => {
    const { root } = createTestEngine(db);
    const app = await root.createApplication({ name: `off-${generateId()}` }, ADMIN);
    const engine = root.app(app.id);
    const { token } = await engine.createSession({ userId: "u1" });
    await root.setApplicationDisabled(app.id, true, ADMIN);
    expect(await engine.resolveSession(token)).toMatchObject({ authenticated: false, reason: "APP_DISABLED", code: "APP_DISABLED" });
    expect(await outcome(() => engine.createSession({ userId: "u2" }))).toMatchObject({ code: "APP_DISABLED" });
    expect(await outcome(() => engine.issueOAuthState())).toMatchObject({ code: "APP_DISABLED" });
    const diagnosis = await engine.diagnose({ token });
    expect(diagnosis.verdict).toBe("APP_DISABLED");
    expect(diagnosis.summary).toContain(`The application ${app.name} was disabled`);
    await root.setApplicationDisabled(app.id, false, ADMIN);
    expect((await engine.resolveSession(token)).authenticated).toBe(true);
    expect(await outcome(() => root.setApplicationDisabled(CONSOLE_APP_ID, true, ADMIN))).toMatchObject({ code: "FORBIDDEN" });
  });

  it("the policy's timeouts are ceilings, guests may be refused, and createSession makes user sessions only", async () => {
    const { root } = createTestEngine(db);
    const app = await root.createApplication({ name: `caps-${generateId()}`, policy: { idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 7 * 86_400, allowGuests: false } }, ADMIN);
    const engine = root.app(app.id);
    expect(await outcome(() => engine.createSession({ userId: "u", absoluteTimeoutSeconds: 315_360_000 }))).toMatchObject({
      code: "VALIDATION_FAILED",
      message: "Invalid input: absoluteTimeoutSeconds: must be at most 604800 (this application's absolute cap).",
    });
    expect(await outcome(() => engine.createSession({ userId: "u", idleTimeoutSeconds: 601 }))).toMatchObject({ code: "VALIDATION_FAILED" });
    const shorter = await engine.createSession({ userId: "u", idleTimeoutSeconds: 60, absoluteTimeoutSeconds: 3600 });
    expect(shorter.session.absoluteExpiresAt.getTime() - shorter.session.createdAt.getTime()).toBe(3600_000);
    const plain = await engine.createSession({ userId: "u" });
    expect(plain.session.idleTimeoutSeconds).toBe(600);
    expect(plain.session.absoluteExpiresAt.getTime() - plain.session.createdAt.getTime()).toBe(7 * DAY);
    expect(await outcome(() => engine.createSession({ userId: "svc", kind: "service" as "user" }))).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await outcome(() => engine.createGuestSession())).toMatchObject({ code: "FORBIDDEN", message: `The application ${app.name} does not allow guest sessions.` });
    expect(await outcome(() => engine.createServiceSession({ client: "ci", scopes: ["x"], ttlSeconds: 8 * 86_400 }))).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  describe("session limit", () => {
    async function limited(action: SessionPolicy["sessionLimitAction"]) {
      const { root, clock } = createTestEngine(db);
      const app = await root.createApplication({ name: `limit-${action}-${generateId()}`, policy: { sessionLimit: 5, sessionLimitAction: action } }, ADMIN);
      const engine = root.app(app.id);
      const issued = [];
      for (let i = 0; i < 5; i++) {
        issued.push(await engine.createSession({ userId: "alice", deviceLabel: `device ${i}` }));
        clock.advance(MINUTE);
      }
      // The first session is used again, so the least recently used is the second.
      await engine.refreshSession(issued[0]!.token);
      clock.advance(MINUTE);
      return { root, engine, clock, issued, app };
    }

    it("a 6th session at a limit of 5 ends the least recently used", async () => {
      const { engine, issued } = await limited("END_LEAST_RECENTLY_USED");
      const sixth = await engine.createSession({ userId: "alice" });
      const ended = await engine.resolveSession(issued[1]!.token);
      expect(ended).toMatchObject({
        authenticated: false,
        reason: "REVOKED",
        revokedReason: "SESSION_LIMIT",
        revokeNote: "ended when this user started a 6th session; the limit is 5",
      });
      for (const each of [issued[0]!, issued[2]!, issued[3]!, issued[4]!, sixth]) expect((await engine.resolveSession(each.token)).authenticated).toBe(true);
      const events = await engine.listEvents({ sessionId: issued[1]!.session.id });
      expect(events.items.map((event) => event.type)).toContain("session.revoked");
      const diagnosis = await engine.diagnose({ token: issued[1]!.token });
      expect(diagnosis.summary).toContain("session limit, ended when this user started a 6th session; the limit is 5");
    });

    it("a 6th session at a limit of 5 ends the oldest", async () => {
      const { engine, issued } = await limited("END_OLDEST");
      await engine.createSession({ userId: "alice" });
      expect(await engine.resolveSession(issued[0]!.token)).toMatchObject({ authenticated: false, revokedReason: "SESSION_LIMIT" });
      expect((await engine.resolveSession(issued[1]!.token)).authenticated).toBe(true);
    });

    it("a 6th session at a limit of 5 is refused with SESSION_LIMIT, and nothing ends", async () => {
      const { engine, issued } = await limited("REFUSE");
      expect(await outcome(() => engine.createSession({ userId: "alice" }))).toMatchObject({ code: "SESSION_LIMIT" });
      for (const each of issued) expect((await engine.resolveSession(each.token)).authenticated).toBe(true);
      expect((await engine.createSession({ userId: "bob" })).session.userId).toBe("bob");
    });

    it("a guest upgraded into a user at the limit is held to it too", async () => {
      const { engine, issued } = await limited("END_LEAST_RECENTLY_USED");
      const guest = await engine.createGuestSession();
      const upgraded = await engine.upgradeGuestSession(guest.token, "alice");
      expect((await engine.resolveSession(upgraded.token)).authenticated).toBe(true);
      expect(await engine.resolveSession(issued[1]!.token)).toMatchObject({ authenticated: false, revokedReason: "SESSION_LIMIT" });
      expect((await engine.listUserSessions("alice")).length).toBe(5);
    });

    for (const action of ["END_LEAST_RECENTLY_USED", "END_OLDEST", "REFUSE"] as const) {
      it(`20 parallel creates for one user at a limit of 5 leave exactly 5 live (${action})`, async () => {
        const { root } = createTestEngine(db);
        const app = await root.createApplication({ name: `race-${action}-${generateId()}`, policy: { sessionLimit: 5, sessionLimitAction: action } }, ADMIN);
        const engine = root.app(app.id);
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => engine.createSession({ userId: "racer", deviceLabel: `tab ${i}` })));
        const created = results.filter((result) => result.status === "fulfilled");
        expect((await engine.listUserSessions("racer")).length).toBe(5);
        if (action === "REFUSE") {
          expect(created).toHaveLength(5);
          for (const result of results) if (result.status === "rejected") expect((result.reason as { code?: string }).code).toBe("SESSION_LIMIT");
        } else {
          expect(created).toHaveLength(20);
          const revoked = await db.database.prisma.session.count({ where: { appId: app.id, userId: "racer", revokedReason: "SESSION_LIMIT" } });
          expect(revoked).toBe(15);
        }
      });
    }
  });

  describe("policy changes", () => {
    /**
     * An application with sessions of every age and idleness, several per user: a spread for
     * previews to count. Returns the engine, clock and the application.
     */
    async function populated() {
      const { root, clock } = createTestEngine(db, {}, new Date("2026-05-01T00:00:00Z"));
      const app = await root.createApplication({ name: `policy-${generateId()}`, policy: { idleTimeoutSeconds: 10 * 86_400, absoluteTimeoutSeconds: 30 * 86_400 } }, ADMIN);
      const engine = root.app(app.id);
      const tokens: string[] = [];
      // 40 sign-ins spread over 20 days, users holding 1 to 7 sessions, some rotated, some revoked.
      for (let i = 0; i < 40; i++) {
        const issued = await engine.createSession({ userId: `user-${i % 7}`, tenantId: `t${i % 3}` });
        tokens.push(issued.token);
        if (i % 9 === 4) await engine.revokeSession(issued.session.id);
        else if (i % 5 === 2) tokens[tokens.length - 1] = (await engine.rotateSession(issued.token)).token;
        clock.advance(12 * HOUR);
      }
      // Recent activity on some: the rest were last seen when they were made.
      // (Refreshing an ended one is refused: those stay as they are.)
      const refresh = (token: string) => engine.refreshSession(token).catch(() => undefined);
      for (let i = 0; i < tokens.length; i += 3) await refresh(tokens[i]!);
      clock.advance(90 * MINUTE);
      for (let i = 1; i < tokens.length; i += 4) await refresh(tokens[i]!);
      clock.advance(30 * MINUTE);
      const service = await engine.createServiceSession({ client: "nightly", scopes: ["x"], ttlSeconds: 20 * 3600 });
      return { root, engine, clock, app, service };
    }

    /** The preview's counts, by brute force over every row of the application, reading the rule as written. */
    function bruteForce(rows: SessionRecord[], policy: { idle: number; absolute: number; limit: number | null }, now: Date) {
      const live = rows.filter((row) => sessionStatus(row, now) === "active");
      const byAbsolute = live.filter((row) => row.startedAt.getTime() + policy.absolute * 1000 <= now.getTime());
      const byIdle = live.filter(
        (row) => !byAbsolute.includes(row) && row.kind !== "service" && row.lastSeenAt.getTime() + policy.idle * 1000 <= now.getTime(),
      );
      let usersOverLimit = 0;
      let endedByLimit = 0;
      if (policy.limit !== null) {
        const remaining = new Map<string, number>();
        for (const row of live) {
          if (row.kind !== "user" || byAbsolute.includes(row) || byIdle.includes(row)) continue;
          remaining.set(row.userId, (remaining.get(row.userId) ?? 0) + 1);
        }
        for (const count of remaining.values()) {
          if (count > policy.limit) {
            usersOverLimit += 1;
            endedByLimit += count - policy.limit;
          }
        }
      }
      return { ended: byAbsolute.length + byIdle.length, endedByAbsolute: byAbsolute.length, endedByIdle: byIdle.length, usersOverLimit, endedByLimit };
    }

    it("the preview's counts equal a brute-force count over the same rows, and it changes nothing", async () => {
      const { root, clock, app } = await populated();
      const rows = await db.database.prisma.session.findMany({ where: { appId: app.id } });
      expect(rows.length).toBeGreaterThan(40);
      const candidates = [
        { idle: 2 * 3600, absolute: 7 * 86_400, limit: null },
        { idle: 30 * 60, absolute: 30 * 86_400, limit: null },
        { idle: 3600, absolute: 10 * 86_400, limit: 2 },
        { idle: 2 * 3600, absolute: 30 * 86_400, limit: 1 },
        { idle: 60, absolute: 60, limit: 3 },
      ];
      for (const candidate of candidates) {
        const before = await everything();
        const preview = await root.previewPolicy(app.id, {
          idleTimeoutSeconds: candidate.idle,
          absoluteTimeoutSeconds: candidate.absolute,
          touchIntervalSeconds: Math.min(60, candidate.idle - 1),
          sessionLimit: candidate.limit,
        });
        expect(preview.impact, JSON.stringify(candidate)).toEqual(bruteForce(rows as SessionRecord[], candidate, clock.now()));
        expect(await everything()).toBe(before);
      }
      const cut = await root.previewPolicy(app.id, { absoluteTimeoutSeconds: 7 * 86_400, idleTimeoutSeconds: 2 * 86_400 });
      expect(cut.impact.endedByAbsolute).toBeGreaterThan(0);
    });

    it("confirming applies the policy to existing sessions: those counted end (absolute-expired, with the change in their timelines), the rest are only shortened", async () => {
      const { root, engine, clock, app, service } = await populated();
      const now = clock.now();
      const rowsBefore = new Map((await db.database.prisma.session.findMany({ where: { appId: app.id } })).map((row) => [row.id, row]));
      const change = { absoluteTimeoutSeconds: 7 * 86_400, idleTimeoutSeconds: 3600, sessionLimit: 2 };
      const preview = await root.previewPolicy(app.id, change);
      const changed = await root.changePolicy(app.id, change, ADMIN);
      expect(changed.impact).toEqual(preview.impact);
      const applied = await root.applyPolicyToSessions(app.id, changed.changeId, ADMIN);
      expect(applied.endedByTimeout).toBe(preview.impact.ended);
      expect(applied.endedByLimit).toBe(preview.impact.endedByLimit);

      const rowsAfter = await db.database.prisma.session.findMany({ where: { appId: app.id } });
      let absoluteExpired = 0;
      for (const after of rowsAfter) {
        const before = rowsBefore.get(after.id);
        if (!before) continue;
        expect(after.absoluteExpiresAt.getTime()).toBeLessThanOrEqual(before.absoluteExpiresAt.getTime());
        expect(after.idleExpiresAt.getTime()).toBeLessThanOrEqual(before.idleExpiresAt.getTime());
        const wasLive = sessionStatus(before, now) === "active";
        const status = sessionStatus(after, now);
        if (wasLive && status === "absolute-expired") {
          absoluteExpired += 1;
          const timeline = await engine.listEvents({ sessionId: after.id });
          expect(timeline.items.find((event) => event.type === "session.ended_by_policy")?.details).toMatchObject({ changeId: changed.changeId, ended: "absolute" });
        }
      }
      expect(absoluteExpired).toBe(preview.impact.endedByAbsolute);
      const summary = await engine.listEvents({ type: "application.policy_changed" });
      expect(summary.items[0]?.details).toMatchObject({
        changeId: changed.changeId,
        impact: preview.impact,
        changed: { absoluteTimeoutSeconds: { from: 30 * 86_400, to: 7 * 86_400 }, sessionLimit: { from: null, to: 2 } },
      });
      // No user holds more than two live sessions now; the service session kept its own lifetime (within the cap).
      const live = rowsAfter.filter((row) => sessionStatus(row, now) === "active" && row.kind === "user");
      const perUser = new Map<string, number>();
      for (const row of live) perUser.set(row.userId, (perUser.get(row.userId) ?? 0) + 1);
      expect(Math.max(...perUser.values())).toBeLessThanOrEqual(2);
      expect((await engine.resolveSession(service.token)).authenticated).toBe(true);
      // Nothing left to do: a second application ends nothing.
      expect(await root.applyPolicyToSessions(app.id, changed.changeId, ADMIN)).toMatchObject({ endedByTimeout: 0, endedByLimit: 0 });
    });

    it("a shorter policy is in force at the next resolve, before its batches ran", async () => {
      const { root, clock } = createTestEngine(db);
      const app = await root.createApplication({ name: `now-${generateId()}`, policy: { idleTimeoutSeconds: 3 * 86_400 } }, ADMIN);
      const engine = root.app(app.id);
      const { token } = await engine.createSession({ userId: "u" });
      clock.advance(2 * DAY);
      await engine.refreshSession(token);
      await root.changePolicy(app.id, { absoluteTimeoutSeconds: DAY / 1000, idleTimeoutSeconds: 3600 }, ADMIN);
      expect(await engine.resolveSession(token)).toMatchObject({ authenticated: false, reason: "ABSOLUTE_EXPIRED" });
    });

    it("a policy that does not hold together is refused, naming the field", async () => {
      const { root } = createTestEngine(db);
      const app = await root.createApplication({ name: `bad-${generateId()}` }, ADMIN);
      expect(await outcome(() => root.previewPolicy(app.id, { idleTimeoutSeconds: 7200, absoluteTimeoutSeconds: 3600 }))).toMatchObject({
        code: "VALIDATION_FAILED",
        message: "Invalid input: idleTimeoutSeconds: must not exceed the absolute cap (3600 s).",
      });
      expect(await outcome(() => root.changePolicy(app.id, { sessionLimit: 0 }, ADMIN))).toMatchObject({ code: "VALIDATION_FAILED" });
      expect(await outcome(() => root.changePolicy(CONSOLE_APP_ID, { sessionLimit: 3 }, ADMIN))).toMatchObject({ code: "FORBIDDEN" });
      expect(await outcome(() => root.createApplication({ name: "Console" }, ADMIN))).toMatchObject({ code: "APP_NAME_TAKEN" });
      expect(await outcome(() => root.createApplication({ name: app.name }, ADMIN))).toMatchObject({ code: "APP_NAME_TAKEN" });
    });
  });

  it("revoke by filter: the count previewed equals the count revoked, only live matches end, audited once with the filter", async () => {
    const { root, clock } = createTestEngine(db);
    const app = await root.createApplication({ name: `byfilter-${generateId()}` }, ADMIN);
    const other = await root.createApplication({ name: `byfilter-other-${generateId()}` }, ADMIN);
    const engine = root.app(app.id);
    const leaked: string[] = [];
    const kept: string[] = [];
    let alreadyEnded = "";
    for (let i = 0; i < 30; i++) {
      const inLeak = i % 3 === 0;
      const issued = await engine.createSession({ userId: `u${i}`, ip: inLeak ? `10.9.0.${i}` : `192.0.2.${i}` });
      (inLeak ? leaked : kept).push(issued.token);
      if (i === 0) alreadyEnded = issued.session.id;
    }
    const bystander = await root.app(other.id).createSession({ userId: "u0", ip: "10.9.0.99" });
    await engine.revokeSession(alreadyEnded, { note: "already" });
    clock.advance(MINUTE);
    const filter = { ip: "10.9.0." };
    const dry = await engine.revokeMatchingSessions({ filter, dryRun: true });
    expect(dry).toEqual({ dryRun: true, matched: leaked.length - 1, revoked: 0 });
    const progress: number[] = [];
    const result = await engine.revokeMatchingSessions({ filter, reason: "REVOKED", note: "incident 12" }, ADMIN, { onBatch: (p) => progress.push(p.revoked) });
    expect(result).toEqual({ dryRun: false, matched: dry.matched, revoked: dry.matched });
    expect(progress.at(-1)).toBe(dry.matched);
    for (const token of leaked) expect((await engine.resolveSession(token)).authenticated).toBe(false);
    for (const token of kept) expect((await engine.resolveSession(token)).authenticated).toBe(true);
    expect((await root.app(other.id).resolveSession(bystander.token)).authenticated).toBe(true);
    const summary = await engine.listEvents({ type: "sessions.revoked_by_filter" });
    expect(summary.items).toHaveLength(1);
    expect(summary.items[0]?.details).toMatchObject({ filter: { ip: "10.9.0." }, matched: dry.matched, revoked: dry.matched, note: "incident 12" });
    expect(await engine.revokeMatchingSessions({ filter, dryRun: true })).toMatchObject({ matched: 0 });
  });
});
