import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, type TestDatabase } from "../testing/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

// A dump of the whole database after every kind of operation holds no usable token.
describe("secrets at rest", () => {
  it("no issued token or secret appears anywhere in the database", async () => {
    const { engine, clock } = createTestEngine(db);
    const issued: string[] = [];
    const a = await engine.createSession({ userId: "dump-user", metadata: { note: "x" } });
    issued.push(a.token);
    const rotated = await engine.rotateSession(a.token);
    issued.push(rotated.token);
    const guest = await engine.createGuestSession();
    issued.push(guest.token);
    const upgraded = await engine.upgradeGuestSession(guest.token, "dump-user-2");
    issued.push(upgraded.token);
    const state = await engine.issueOAuthState({ data: { returnTo: "/" } });
    issued.push(state.state);
    await engine.consumeOAuthState(state.state);
    issued.push((await engine.issueOAuthState()).state);
    await engine.setDeviceLabel(rotated.session.id, "Laptop");
    await engine.revokeUserSessions("dump-user");
    clock.advance(60 * 60 * 1000);
    await engine.resolveSession(a.token); // reuse detection writes events too
    await engine.sweepSessions({ retentionSeconds: 0 });

    const { prisma } = db.database;
    const dump = JSON.stringify([
      await prisma.session.findMany(),
      await prisma.sweptSession.findMany(),
      await prisma.oAuthState.findMany(),
      await prisma.auditEvent.findMany(),
      await prisma.user.findMany(),
    ]);
    expect(dump.length).toBeGreaterThan(1000);
    for (const token of issued) {
      const secret = token.split(".")[1]!;
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(token);
    }
  });
});
