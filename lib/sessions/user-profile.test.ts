import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, uniqueUser, type TestDatabase } from "../testing/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("the email and name an application gives when it starts a session", () => {
  it("are kept on the user, so support finds the person by email; a later sign-in brings changes; one without them keeps them", async () => {
    const { engine } = createTestEngine(db);
    const userId = uniqueUser("cuid");
    const email = `${userId}@Example.COM`;
    await engine.createSession({ userId, email, name: "Ada Lovelace" });
    expect(await engine.findUsers(email.toLowerCase())).toEqual([expect.objectContaining({ id: userId, email: email.toLowerCase(), name: "Ada Lovelace" })]);

    await engine.createSession({ userId, name: "Ada King" });
    expect(await engine.findUsers(userId)).toEqual([expect.objectContaining({ email: email.toLowerCase(), name: "Ada King" })]);
    await engine.createSession({ userId, email: `new-${email}`, name: null });
    expect(await engine.findUsers(userId)).toEqual([expect.objectContaining({ email: `new-${email}`.toLowerCase(), name: "Ada King" })]);
  });

  it("an email another user of the application has already stays theirs: the session still starts, without it", async () => {
    const { engine, root } = createTestEngine(db);
    const first = uniqueUser("first");
    const second = uniqueUser("second");
    const email = `${first}@example.com`;
    await engine.createSession({ userId: first, email });
    const started = await engine.createSession({ userId: second, email, name: "Second" });
    expect((await engine.resolveSession(started.token)).authenticated).toBe(true);
    expect(await engine.findUsers(email)).toEqual([expect.objectContaining({ id: first })]);
    expect(await engine.findUsers(second)).toEqual([expect.objectContaining({ id: second, email: null, name: "Second" })]);
    // Another application's user may have the same email: applications are apart.
    const application = await root.createApplication({ name: `profile-${first}` }, { type: "user", id: "op-admin", label: "admin@example.com" });
    await root.app(application.id).createSession({ userId: first, email });
    expect(await root.app(application.id).findUsers(email)).toEqual([expect.objectContaining({ id: first, appId: application.id })]);
  });

  it("a bad email or name is refused and nothing is created; guests take neither", async () => {
    const { engine } = createTestEngine(db);
    const userId = uniqueUser("bad");
    await expect(engine.createSession({ userId, email: "not an email" })).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("email") });
    await expect(engine.createSession({ userId, name: "x".repeat(201) })).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("name") });
    expect(await engine.findUsers(userId)).toEqual([]);
    await expect(engine.createGuestSession({ email: "guest@example.com" } as never)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
