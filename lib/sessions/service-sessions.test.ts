import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeServiceSession, readServiceSession } from "@latchkey/client";
import { createTestDatabase, createTestEngine, type TestDatabase } from "../testing/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const ADMIN = { type: "user" as const, id: "op-1", label: "admin@example.com" };

describe("service sessions", () => {
  it("belong to a named client, carry its scopes, last the lifetime asked for, and record who they act for", async () => {
    const { engine, clock } = createTestEngine(db);
    const person = `person-${Date.now()}`;
    await engine.createSession({ userId: person });
    const { token, session } = await engine.createServiceSession(
      { client: "nightly-backup", scopes: ["reports:read", "exports:write"], ttlSeconds: 900, delegatedBy: person },
      ADMIN,
    );
    expect(session).toMatchObject({ userId: "service:nightly-backup", kind: "service", roles: ["reports:read", "exports:write"], deviceLabel: "nightly-backup" });
    expect(session.metadata).toMatchObject({ client: "nightly-backup", delegatedBy: person });
    expect(session.absoluteExpiresAt.getTime() - session.createdAt.getTime()).toBe(900_000);
    const [created] = (await engine.listEvents({ sessionId: session.id, type: "session.created" })).items;
    expect(created).toMatchObject({ actorLabel: "admin@example.com", details: { kind: "service", client: "nightly-backup", delegatedBy: person, scopes: ["reports:read", "exports:write"], ttlSeconds: 900 } });

    expect(await engine.resolveSession(token)).toMatchObject({ authenticated: true, kind: "service", roles: ["reports:read", "exports:write"] });
    clock.advance(900_000);
    expect(await engine.resolveSession(token)).toMatchObject({ authenticated: false });
    expect((await engine.listSessions({ kind: "service", user: "service:nightly-backup" })).items.map((s) => s.id)).toContain(session.id);
  });

  it("refuses what a service session must not be: long-lived, scopeless, acting for nobody or for a disabled person", async () => {
    const { engine } = createTestEngine(db);
    const disabled = `gone-${Date.now()}`;
    await engine.createSession({ userId: disabled });
    await engine.disableUser(disabled, "left");
    const cases: [Record<string, unknown>, string][] = [
      [{ client: "ci", scopes: ["x"], ttlSeconds: 2 * 86_400 }, "VALIDATION_FAILED"],
      [{ client: "ci", scopes: [] }, "VALIDATION_FAILED"],
      [{ client: "no spaces please", scopes: ["x"] }, "VALIDATION_FAILED"],
      [{ client: "ci", scopes: ["x"], delegatedBy: "nobody-at-all" }, "SESSION_NOT_FOUND"],
      [{ client: "ci", scopes: ["x"], delegatedBy: disabled }, "USER_DISABLED"],
    ];
    const before = await db.database.prisma.session.count();
    for (const [input, code] of cases) {
      await expect(engine.createServiceSession(input as never), JSON.stringify(input)).rejects.toMatchObject({ code });
    }
    expect(await db.database.prisma.session.count()).toBe(before);
  });

  it("fits in one environment variable, LATCHKEY_SESSION, and says what is wrong with a bad one", () => {
    const token = `lks_${"A".repeat(22)}.${"B".repeat(43)}`;
    const value = encodeServiceSession(token, "https://latchkey.example.com/some/path");
    expect(value).toBe(`${token}@https://latchkey.example.com`);
    expect(readServiceSession(value)).toEqual({ token, url: "https://latchkey.example.com" });
    expect(() => readServiceSession(undefined)).toThrow("LATCHKEY_SESSION is not set.");
    expect(() => readServiceSession("https://latchkey.example.com")).toThrow(/must be a session token, an @ and Latchkey's URL/);
    expect(() => readServiceSession(`${token}@not a url`)).toThrow("LATCHKEY_SESSION names no valid URL after the @.");
  });
});
