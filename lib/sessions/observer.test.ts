import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, uniqueUser, type TestDatabase } from "../testing/database";
import { createFakeClock } from "./clock";
import { resolveSessionConfig } from "./config";
import { createSessionEngine } from "./engine";
import { observedRepository, type EngineObserver } from "./observer";
import { DEFAULT_APP_ID } from "./policy";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** An observer that writes down what it is told, as `name:label` → total. */
function recorder() {
  const seen = new Map<string, number>();
  const add = (key: string, count = 1) => seen.set(key, (seen.get(key) ?? 0) + count);
  const observer: EngineObserver = {
    tokenChecked: (operation, refusal) => add(`check:${operation}:${refusal ?? "accepted"}`),
    sessionsCreated: (kind, count) => add(`created:${kind}`, count),
    sessionsEnded: (reason, count) => add(`ended:${reason}`, count),
    sessionsRotated: (count) => add("rotated", count),
    sessionsSwept: (counts) => {
      add("swept:idle", counts.idleExpired);
      add("swept:absolute", counts.absoluteExpired);
      add("swept:revoked", counts.revoked);
    },
    sweepStarted: () => add("sweep:started"),
    sweepFinished: () => add("sweep:finished"),
  };
  return { observer, seen: () => Object.fromEntries([...seen].filter(([, count]) => count > 0)) };
}

function observedEngine(observer: EngineObserver) {
  const clock = createFakeClock(new Date("2026-12-01T00:00:00Z"));
  const config = resolveSessionConfig({ idleTimeoutSeconds: 30 * 60, retentionSeconds: 60, rotationGraceSeconds: 10 });
  const root = createSessionEngine({ repository: observedRepository(db.repository, observer), config, clock, observer });
  return { engine: root.app(DEFAULT_APP_ID), clock };
}

describe("engine observer", () => {
  it("is told exactly what a run did: checks by result and reason, sign-ins started and ended, a sweep", async () => {
    const { observer, seen } = recorder();
    const { engine, clock } = observedEngine(observer);
    const alice = uniqueUser("alice");
    const first = await engine.createSession({ userId: alice });
    const second = await engine.createSession({ userId: alice });
    await engine.createGuestSession();
    const other = await engine.createSession({ userId: uniqueUser("bob") });

    expect((await engine.resolveSession(first.token)).authenticated).toBe(true);
    await engine.revokeSession(other.session.id, { reason: "REVOKED" });
    // Revoking what is already revoked ends nothing more.
    await engine.revokeSession(other.session.id, { reason: "REVOKED" });
    expect(await engine.resolveSession(other.token)).toMatchObject({ authenticated: false, reason: "REVOKED" });
    expect(await engine.resolveSession(`lks_${"A".repeat(22)}.${"B".repeat(43)}`)).toMatchObject({ authenticated: false, reason: "UNKNOWN" });
    expect(await engine.resolveSession("not a token")).toMatchObject({ authenticated: false, reason: "MALFORMED" });
    const rotated = await engine.rotateSession(second.token);
    expect(await engine.revokeUserSessions(alice, { reason: "LOGGED_OUT_EVERYWHERE" })).toBe(2);
    await expect(engine.refreshSession(rotated.token)).rejects.toMatchObject({ code: "SESSION_REVOKED" });

    clock.advance(31 * 60 * 1000 + 61 * 1000);
    const swept = await engine.sweepSessions();
    expect(swept.total).toBe(5);

    expect(seen()).toEqual({
      "created:user": 3,
      "created:guest": 1,
      rotated: 1,
      "ended:REVOKED": 1,
      "ended:LOGGED_OUT_EVERYWHERE": 2,
      "check:resolve:accepted": 1,
      "check:resolve:REVOKED": 1,
      "check:resolve:UNKNOWN": 1,
      "check:resolve:MALFORMED": 1,
      "check:rotate:accepted": 1,
      "check:refresh:REVOKED": 1,
      // first, other and rotated were revoked; second was rotated away (revoked too); the guest idled out.
      "swept:revoked": 4,
      "swept:idle": 1,
      "sweep:started": 1,
      "sweep:finished": 1,
    });
  });

  it("counts a dry run as no sweep, and a failed insert as no sign-in", async () => {
    const { observer, seen } = recorder();
    const { engine } = observedEngine(observer);
    await engine.sweepSessions({ dryRun: true });
    await expect(engine.createSession({ userId: "" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(seen()).toEqual({});
  });
});
