import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { isSessionError } from "./errors";
import { ALL_APPS, CONSOLE_APP_ID } from "./policy";
import { generateId } from "./tokens";
import type { Actor } from "./types";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** A console account with a role, and the actor it acts as. */
async function account(role: "ADMIN" | "SUPPORT" | "USER"): Promise<Actor & { id: string }> {
  const id = `acct-${generateId().slice(0, 10)}`;
  const now = new Date();
  await db.database.prisma.user.create({
    data: { appId: CONSOLE_APP_ID, id, email: `${id}@example.com`, consoleRole: role, passwordHash: "x", createdAt: now, updatedAt: now },
  });
  return { type: "user", id, label: `${id}@example.com` };
}

async function refusal(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    if (isSessionError(error)) return error.code;
    throw error;
  }
  return "none";
}

describe(`console roles act only downwards on ${TEST_PROVIDER}`, () => {
  it("SUPPORT may not revoke, relabel or log out an ADMIN's sessions, and changes nothing trying", async () => {
    const { root } = createTestEngine(db);
    const console = root.app(CONSOLE_APP_ID);
    const [admin, support] = [await account("ADMIN"), await account("SUPPORT")];
    const { session } = await console.createSession({ userId: admin.id });

    expect(await refusal(() => console.revokeSession(session.id, { reason: "REVOKED" }, support))).toBe("FORBIDDEN");
    expect(await refusal(() => console.setDeviceLabel(session.id, "pwned", support))).toBe("FORBIDDEN");
    expect(await refusal(() => console.revokeUserSessions(admin.id, {}, support))).toBe("FORBIDDEN");
    expect(await refusal(() => console.disableUser(admin.id, "no", support))).toBe("FORBIDDEN");
    expect(await refusal(() => console.setTenant(session.id, "elsewhere", support))).toBe("FORBIDDEN");
    // Through the operators' view of every application, too.
    expect(await refusal(() => root.app(ALL_APPS).revokeSession(session.id, {}, support))).toBe("FORBIDDEN");
    const after = await console.getSession(session.id);
    expect(after).toMatchObject({ status: "active", deviceLabel: null, tenantId: null });
    expect((await console.findUsers(admin.id))[0]?.disabledAt ?? null).toBeNull();
  });

  it("an ADMIN may end a SUPPORT's sessions, SUPPORT a USER's, and everyone their own", async () => {
    const { root } = createTestEngine(db);
    const console = root.app(CONSOLE_APP_ID);
    const [admin, support, user] = [await account("ADMIN"), await account("SUPPORT"), await account("USER")];
    const ofSupport = await console.createSession({ userId: support.id });
    const ofUser = await console.createSession({ userId: user.id });
    const ofAdmin = await console.createSession({ userId: admin.id });
    expect(await console.revokeSession(ofSupport.session.id, {}, admin)).toBe(true);
    expect(await console.revokeUserSessions(user.id, {}, support)).toBe(1);
    expect((await console.setDeviceLabel(ofAdmin.session.id, "my laptop", admin)).deviceLabel).toBe("my laptop");
    expect(ofUser.session.id).toBeTruthy();
  });
});

describe(`what a person handed out ends with their access on ${TEST_PROVIDER}`, () => {
  it("disabling an application's user ends the service sessions acting for them, not others", async () => {
    const { engine } = createTestEngine(db);
    const person = `user-${generateId().slice(0, 8)}`;
    await engine.createSession({ userId: person });
    await engine.createSession({ userId: "someone-else" });
    const forPerson = await engine.createServiceSession({ client: "report-bot", scopes: ["reports"], ttlSeconds: 3600, delegatedBy: person });
    const forOther = await engine.createServiceSession({ client: "report-bot", scopes: ["reports"], ttlSeconds: 3600, delegatedBy: "someone-else" });
    const unattended = await engine.createServiceSession({ client: "cron", scopes: ["jobs"], ttlSeconds: 3600 });

    expect(await engine.disableUser(person, "left the company")).toBe(2);
    expect((await engine.resolveSession(forPerson.token)).authenticated).toBe(false);
    expect((await engine.resolveSession(forOther.token)).authenticated).toBe(true);
    expect((await engine.resolveSession(unattended.token)).authenticated).toBe(true);
  });

  it("disabling a console account ends the service sessions it started, in every application", async () => {
    const { root, engine } = createTestEngine(db);
    const [admin, colleague] = [await account("ADMIN"), await account("ADMIN")];
    const started = await engine.createServiceSession({ client: "deploy-bot", scopes: ["deploy"], ttlSeconds: 3600 }, admin);
    const byColleague = await engine.createServiceSession({ client: "deploy-bot", scopes: ["deploy"], ttlSeconds: 3600 }, colleague);

    await root.app(CONSOLE_APP_ID).disableUser(admin.id, "left the company", colleague);
    const refused = await engine.resolveSession(started.token);
    expect(refused).toMatchObject({ authenticated: false, revokedReason: "USER_DISABLED" });
    expect((await engine.resolveSession(byColleague.token)).authenticated).toBe(true);
  });
});

describe(`a new token when trust changes on ${TEST_PROVIDER}`, () => {
  it("reissuing refuses the old token at once, inside the rotation grace window, without ending the session", async () => {
    const { root, clock } = createTestEngine(db, { rotationGraceSeconds: 60 });
    const console = root.app(CONSOLE_APP_ID);
    const admin = await account("ADMIN");
    const signedIn = await console.createSession({ userId: admin.id });
    clock.advance(5 * 60_000);

    const renewed = await console.reissueSession(signedIn.session.id, admin);
    expect(renewed.token).not.toBe(signedIn.token);
    expect(renewed.session.authenticatedAt?.getTime()).toBe(clock.now().getTime());
    clock.advance(1);
    expect(await console.resolveSession(signedIn.token)).toMatchObject({ authenticated: false, reason: "REVOKED" });
    const current = await console.resolveSession(renewed.token);
    expect(current.authenticated).toBe(true);
    // The old token refused inside the window ended nothing: the new one still works.
    expect((await console.resolveSession(renewed.token)).authenticated).toBe(true);
    const old = await console.getSession(signedIn.session.id);
    expect(old).toMatchObject({ revokedReason: "ROTATED", rotatedToId: renewed.session.id });
    // The debugger says why the old token no longer works, not that it still does.
    const diagnosis = await console.diagnose({ token: signedIn.token });
    expect(diagnosis.summary).toContain("signed in again");
    expect(diagnosis.summary).not.toContain("still accepted");
  });

  it("an ordinary rotation keeps its grace window (in-flight requests with the old token still pass)", async () => {
    const { root, clock } = createTestEngine(db, { rotationGraceSeconds: 60 });
    const console = root.app(CONSOLE_APP_ID);
    const admin = await account("ADMIN");
    const signedIn = await console.createSession({ userId: admin.id });
    clock.advance(60_000);
    await console.rotateSession(signedIn.token, admin);
    clock.advance(1);
    expect((await console.resolveSession(signedIn.token)).authenticated).toBe(true);
  });

  it("an ended session is not reissued", async () => {
    const { root } = createTestEngine(db);
    const console = root.app(CONSOLE_APP_ID);
    const admin = await account("ADMIN");
    const signedIn = await console.createSession({ userId: admin.id });
    await console.revokeSession(signedIn.session.id, { reason: "SIGNED_OUT" }, admin);
    expect(await refusal(() => console.reissueSession(signedIn.session.id, admin))).toBe("SESSION_NOT_FOUND");
  });
});
