import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createFakeClock } from "./clock";
import { resolveSessionConfig } from "./config";
import { Verdict, type Diagnosis } from "./diagnose";
import { createSessionEngine } from "./engine";
import { createRefusalLog } from "./refusal-log";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SUPPORT = { type: "user" as const, id: "op-1", label: "support@example.com" };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** An engine with the refusal log on, its own clock, and a fresh user (with an email) to work on. */
async function setup() {
  const clock = createFakeClock(new Date("2026-12-01T14:00:00Z"));
  const config = resolveSessionConfig({ idleTimeoutSeconds: 30 * 60, absoluteTimeoutSeconds: 30 * 24 * 60 * 60, rotationGraceSeconds: 30 });
  const refusals = createRefusalLog({ store: db.repository, clock, retentionSeconds: 7 * 24 * 3600 });
  const engine = createSessionEngine({ repository: db.repository, config, clock, refusals }).app("default");
  const userId = `jane-${randomBytes(4).toString("hex")}`;
  await db.database.prisma.user.create({ data: { appId: "default", id: userId, email: `${userId}@example.com`, createdAt: clock.now(), updatedAt: clock.now() } });
  return { engine, clock, refusals, userId, email: `${userId}@example.com` };
}

type Setup = Awaited<ReturnType<typeof setup>>;

interface Case {
  name: string;
  /** Builds the situation through the engine and says what to diagnose. */
  arrange(s: Setup): Promise<{ token: string } | { sessionId: string } | { user: string }>;
  verdict: Diagnosis["verdict"];
  summary: RegExp;
  /** What it means for the person, where the case has something to say. */
  meaning?: RegExp;
  evidence?: (s: Setup) => Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: "revoked by support through log out everywhere, with a ticket",
    async arrange({ engine, clock, userId }) {
      const { token } = await engine.createSession({ userId });
      clock.advance(2 * MINUTE);
      await engine.revokeUserSessions(userId, { note: "ticket 4711" }, SUPPORT);
      return { token };
    },
    verdict: Verdict.REVOKED,
    summary: /^Session \S+ of jane-\w+@example\.com was revoked at 1 Dec 2026 14:02:00 UTC by support@example\.com \(log out everywhere, ticket 4711\)\.$/,
    evidence: () => ({ revokedBy: "user:support@example.com", revokedReason: "LOGGED_OUT_EVERYWHERE", revokeNote: "ticket 4711", revokedAt: "2026-12-01T14:02:00.000Z" }),
  },
  {
    name: "idle-expired",
    async arrange({ engine, clock, userId }) {
      const { token } = await engine.createSession({ userId });
      clock.advance(29 * MINUTE);
      await engine.refreshSession(token); // last seen 14:29
      clock.advance(33 * MINUTE);
      return { token };
    },
    verdict: Verdict.IDLE_EXPIRED,
    summary: /^Idle-expired 3 minutes ago, at 1 Dec 2026 14:59:00 UTC: last seen 1 Dec 2026 14:29:00 UTC, idle timeout 30 minutes\.$/,
    evidence: () => ({ lastSeenAt: "2026-12-01T14:29:00.000Z", idleTimeoutSeconds: 1800 }),
  },
  {
    name: "absolute cap reached, however active",
    async arrange({ engine, clock, userId }) {
      const { token } = await engine.createSession({ userId, absoluteTimeoutSeconds: 2 * 3600 });
      for (let step = 0; step < 4; step++) {
        clock.advance(29 * MINUTE);
        await engine.refreshSession(token);
      }
      clock.advance(29 * MINUTE);
      return { token };
    },
    verdict: Verdict.ABSOLUTE_EXPIRED,
    summary: /^Absolute cap reached on 1 Dec 2026 16:00:00 UTC \(sessions last at most 2 hours from sign-in, however active\)\.$/,
    evidence: () => ({ absoluteExpiresAt: "2026-12-01T16:00:00.000Z" }),
  },
  {
    name: "a replaced token presented again: reuse detected",
    async arrange({ engine, clock, userId }) {
      const { token } = await engine.createSession({ userId });
      clock.advance(10 * MINUTE);
      await engine.rotateSession(token);
      clock.advance(5 * MINUTE);
      expect((await engine.resolveSession(token)).authenticated).toBe(false);
      return { token };
    },
    verdict: Verdict.REUSE_DETECTED,
    summary: /^A replaced token was presented again at 1 Dec 2026 14:15:00 UTC, 5 minutes after it was replaced by a newer one\. That looked like theft, so every session of that sign-in was revoked\.$/,
    evidence: () => ({ rotatedAt: "2026-12-01T14:10:00.000Z", reuseDetectedAt: "2026-12-01T14:15:00.000Z" }),
  },
  {
    name: "a replaced token inside the grace window",
    async arrange({ engine, clock, userId }) {
      const { token } = await engine.createSession({ userId });
      await engine.rotateSession(token);
      clock.advance(10_000);
      return { token };
    },
    verdict: Verdict.REPLACED,
    summary: /^This token was replaced by a newer one \(session \S+\) at 1 Dec 2026 14:00:00 UTC; it is still accepted until 1 Dec 2026 14:00:30 UTC for requests that were in flight\.$/,
  },
  {
    name: "a replaced token after the grace window, not presented again",
    async arrange({ engine, clock, userId }) {
      const { token } = await engine.createSession({ userId });
      await engine.rotateSession(token);
      clock.advance(10 * MINUTE);
      return { token };
    },
    verdict: Verdict.REPLACED,
    summary: /; the application must use the new token: presenting this one again will be taken as theft and revoke the whole family\.$/,
  },
  {
    name: "the id matches but the secret does not",
    async arrange({ engine, userId }) {
      const { token } = await engine.createSession({ userId });
      const altered = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
      return { token: altered };
    },
    verdict: Verdict.SECRET_MISMATCH,
    summary: /^The id matches session \S+ of jane-\w+@example\.com but the secret does not: the token was altered or cut short\.$/,
  },
  {
    name: "a token cut short still names its session",
    async arrange({ engine, userId }) {
      const { token } = await engine.createSession({ userId });
      return { token: token.slice(0, -10) };
    },
    verdict: Verdict.SECRET_MISMATCH,
    summary: /^The id matches session \S+ of jane-\w+@example\.com, but the secret is malformed: Not a Latchkey token: its secret has 33 characters, not 43 \(cut short or run on\)\.$/,
  },
  {
    name: "swept a week after it expired",
    async arrange({ engine, clock, userId }) {
      const { token } = await engine.createSession({ userId, idleTimeoutSeconds: 60 });
      clock.advance(MINUTE + 7 * DAY);
      await engine.sweepSessions({ retentionSeconds: 7 * 24 * 3600 });
      return { token };
    },
    verdict: Verdict.SWEPT,
    summary: /^No such session: it was swept on 8 Dec 2026 14:01:00 UTC \(idle-expired 7 days before\)\.$/,
    evidence: () => ({ status: "idle-expired", endedAt: "2026-12-01T14:01:00.000Z" }),
  },
  {
    name: "never issued here",
    async arrange() {
      return { token: `lks_${"A".repeat(22)}.${"B".repeat(43)}` };
    },
    verdict: Verdict.UNKNOWN_SESSION,
    summary: /^No session A{22} exists here, and none was swept/,
  },
  {
    name: "not a token: no dot",
    async arrange() {
      return { token: "lks_abcdefghijklmnopqrstuv" };
    },
    verdict: Verdict.NOT_A_TOKEN,
    summary: /^Not a Latchkey token: expected two parts separated by a dot, an id and a secret\.$/,
  },
  {
    name: "not a token: an API key",
    async arrange() {
      return { token: `lka_${"A".repeat(22)}.${"B".repeat(43)}` };
    },
    verdict: Verdict.NOT_A_TOKEN,
    summary: /^This is an API key, not a session token\.$/,
  },
  {
    name: "the user was disabled",
    async arrange({ engine, userId }) {
      await engine.createSession({ userId });
      await engine.disableUser(userId, "left the company", SUPPORT);
      return { user: userId };
    },
    verdict: Verdict.USER_DISABLED,
    summary: /^Every request since 1 Dec 2026 14:00:00 UTC is refused because jane-\w+@example\.com was disabled by support@example\.com \(left the company\): all sessions were ended and new ones are refused\.$/,
  },
  {
    name: "a user whose sessions were all revoked, with the refusals that followed",
    async arrange({ engine, clock, userId, refusals }) {
      const tokens = [await engine.createSession({ userId }), await engine.createSession({ userId })].map((issued) => issued.token);
      clock.advance(2 * MINUTE);
      await engine.revokeUserSessions(userId, { note: "ticket 4711" }, SUPPORT);
      clock.advance(MINUTE);
      for (const token of tokens) await engine.resolveSession(token, { source: "billing-app", ip: "203.0.113.9", userAgent: "curl/8" });
      await refusals.flush();
      return { user: userId };
    },
    verdict: Verdict.ALL_SESSIONS_ENDED,
    summary: /^Every request since 1 Dec 2026 14:02:00 UTC is refused: all 2 sessions were revoked by support@example\.com \(log out everywhere, ticket 4711\)\.$/,
    meaning: /^jane-\w+@example\.com is not disabled: a new sign-in works\. The application still sends an ended token: 2 requests were refused since, the last at 1 Dec 2026 14:03:00 UTC; it should send jane-\w+@example\.com to sign in\.$/,
    evidence: () => ({ sessions: 2, refusals: 2 }),
  },
  {
    name: "a user with a live session",
    async arrange({ engine, email }) {
      await engine.createSession({ userId: email.split("@")[0]! });
      return { user: email.toUpperCase() };
    },
    verdict: Verdict.ACTIVE,
    summary: /^jane-\w+@example\.com has 1 active session, last seen 1 Dec 2026 14:00:00 UTC\.$/,
  },
  {
    name: "a user with no sessions",
    async arrange({ userId }) {
      return { user: userId };
    },
    verdict: Verdict.NO_SESSIONS,
    summary: /has no sessions: none was started, or all were swept\.$/,
  },
  {
    name: "no such user",
    async arrange() {
      return { user: "nobody@example.com" };
    },
    verdict: Verdict.UNKNOWN_USER,
    summary: /^No user has the id, email or name nobody@example\.com, or one that contains it\.$/,
  },
];

describe("diagnose", () => {
  it.each(CASES)("$name", async (testCase) => {
    const s = await setup();
    const input = await testCase.arrange(s);
    const counts = () => Promise.all([db.database.prisma.auditEvent.count(), db.database.prisma.refusal.count(), db.database.prisma.session.count({ where: { revokedAt: null } })]);
    await s.refusals.flush();
    const before = await counts();
    const diagnosis = await s.engine.diagnose(input);
    expect(diagnosis.verdict).toBe(testCase.verdict);
    expect(diagnosis.summary).toMatch(testCase.summary);
    if (testCase.meaning) expect(diagnosis.meaning).toMatch(testCase.meaning);
    if (testCase.evidence) expect(diagnosis.evidence).toMatchObject(testCase.evidence(s));
    // Diagnosing reads only: no event, no refusal, no session ended (a replaced token diagnosed
    // after the grace window must not set off reuse detection).
    await s.refusals.flush();
    expect(await counts()).toEqual(before);
  });

  it("a user's diagnosis carries the refusals with reason, source, address and agent, and the session timeline", async () => {
    const s = await setup();
    const { token, session } = await s.engine.createSession({ userId: s.userId });
    await s.engine.revokeSession(session.id, { reason: "REVOKED", note: "ticket 12" }, SUPPORT);
    await s.engine.resolveSession(token, { source: "billing-app", ip: "203.0.113.9", userAgent: "curl/8" });
    await s.refusals.flush();
    const diagnosis = await s.engine.diagnose({ user: s.userId });
    expect(diagnosis.refusals).toHaveLength(1);
    expect(diagnosis.refusals[0]).toMatchObject({
      reason: "REVOKED",
      operation: "resolve",
      source: "billing-app",
      sessionId: session.id,
      userId: s.userId,
      revokedReason: "REVOKED",
      ip: "203.0.113.9",
      userAgent: "curl/8",
    });
    expect(diagnosis.sessions.map((view) => view.id)).toEqual([session.id]);
    expect(diagnosis.events.map((event) => event.type)).toEqual(["session.revoked", "session.created"]);
    const bySession = await s.engine.diagnose({ sessionId: session.id });
    expect(bySession.verdict).toBe(Verdict.REVOKED);
    expect(bySession.refusals).toHaveLength(1);
  });

  it("a diagnosed token appears nowhere afterwards: not in the database, the audit log, the refusal log or the logs", async () => {
    const s = await setup();
    const { token, session } = await s.engine.createSession({ userId: s.userId });
    await s.engine.revokeSession(session.id, { reason: "REVOKED", note: "lost laptop" }, SUPPORT);
    const altered = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      }),
    );
    try {
      for (const pasted of [token, altered, token.slice(0, 40), ` ${token}\n`]) {
        await s.engine.diagnose({ token: pasted });
        await s.engine.resolveSession(pasted, { source: "test" });
      }
      await s.refusals.flush();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const { prisma } = db.database;
    const dump = JSON.stringify([
      await prisma.session.findMany(),
      await prisma.auditEvent.findMany(),
      await prisma.refusal.findMany(),
      await prisma.user.findMany(),
    ]);
    expect(await prisma.refusal.count({ where: { sessionId: session.id } })).toBe(2); // revoked, and secret mismatch
    expect(await prisma.refusal.count({ where: { userId: s.userId } })).toBe(1); // a wrong secret does not reveal the user
    for (const secret of [token.split(".")[1]!, altered.split(".")[1]!, token.slice(0, 40).split(".")[1]!]) {
      expect(dump).not.toContain(secret);
      expect(logged.join("\n")).not.toContain(secret);
    }
  });

  describe("a user's verdict leads with what went wrong lately, even while other sessions are live", () => {
    const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

    it("a replayed token: the theft leads, with the replaying address and agent against the owner's, in seconds", async () => {
      const s = await setup();
      const phone = await s.engine.createSession({ userId: s.userId, ip: "198.51.100.7", userAgent: IPHONE });
      await s.engine.createSession({ userId: s.userId, ip: "198.51.100.8", userAgent: FIREFOX, deviceLabel: "Laptop" });
      s.clock.advance(MINUTE);
      await s.engine.rotateSession(phone.token);
      s.clock.advance(42_000); // past the 30-second grace window
      const replayed = await s.engine.resolveSession(phone.token, { source: "shop", ip: "203.0.113.99", userAgent: "python-requests/2.31.0" });
      expect(replayed).toMatchObject({ authenticated: false, reason: "REUSE_DETECTED" });
      await s.refusals.flush();
      const diagnosis = await s.engine.diagnose({ user: s.userId });
      expect(diagnosis.verdict).toBe(Verdict.REUSE_DETECTED);
      expect(diagnosis.summary).toBe(
        "A replaced token was presented again at 1 Dec 2026 14:01:42 UTC from 203.0.113.99 with python-requests/2.31.0, 42 seconds after it was replaced by a newer one; its owner signed in from 198.51.100.7 with Mobile Safari on iOS. That looked like theft, so every session of that sign-in was revoked. One other session is active, last seen 1 Dec 2026 14:00:00 UTC.",
      );
      expect(diagnosis.meaning).toContain("their token was copied");
      expect(diagnosis.evidence).toMatchObject({ replayIp: "203.0.113.99", ownerIp: "198.51.100.7" });
      // The session of the replayed token says the same.
      const bySession = await s.engine.diagnose({ token: phone.token });
      expect(bySession.summary).toContain("from 203.0.113.99 with python-requests/2.31.0, 42 seconds after");
    });

    it("an idle-expired session leads, though another is live", async () => {
      const s = await setup();
      await s.engine.createSession({ userId: s.userId, userAgent: FIREFOX, idleTimeoutSeconds: 600 });
      s.clock.advance(20 * MINUTE);
      await s.engine.createSession({ userId: s.userId, userAgent: IPHONE });
      const diagnosis = await s.engine.diagnose({ user: s.userId });
      expect(diagnosis.verdict).toBe(Verdict.IDLE_EXPIRED);
      expect(diagnosis.summary).toBe(
        "The session on Firefox on Windows idle-expired at 1 Dec 2026 14:10:00 UTC: last seen 1 Dec 2026 14:00:00 UTC, idle timeout 10 minutes. One other session is active, last seen 1 Dec 2026 14:20:00 UTC.",
      );
      expect(diagnosis.meaning).toMatch(/is not disabled: sessions end after 10 minutes without activity, and signing in again is all it takes\.$/);
    });

    it("a user is found by part of their id, email or name; several matches are offered to choose from", async () => {
      const s = await setup();
      await s.engine.createSession({ userId: s.userId });
      // The id's start, and the email's middle.
      expect((await s.engine.diagnose({ user: s.userId.slice(0, 9) })).user?.id).toBe(s.userId);
      expect((await s.engine.diagnose({ user: `${s.userId.slice(5)}@example` })).user?.id).toBe(s.userId);
      const family = `bob-${randomBytes(3).toString("hex")}`;
      for (const id of [`${family}@shop.example`, `${family}.jr@shop.example`]) await s.engine.createSession({ userId: id });
      const several = await s.engine.diagnose({ user: family });
      expect(several.verdict).toBe(Verdict.SEVERAL_USERS);
      expect(several.summary).toContain(`2 users match ${family}`);
      expect(several.candidates.map((candidate) => candidate.id).sort()).toEqual([`${family}.jr@shop.example`, `${family}@shop.example`]);
    });
  });

  it("refuses input that is not exactly one of token, session id or user", async () => {
    const { engine } = await setup();
    for (const input of [{}, { token: "x", user: "y" }, { sessionId: "not an id" }, { user: "" }, { other: 1 }]) {
      await expect(engine.diagnose(input as never)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
  });
});
