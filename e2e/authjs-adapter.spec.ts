import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { expect, test } from "@playwright/test";
import { withLatchkeySessions } from "@latchkey/authjs-adapter";
import { createLatchkeyClient, type LatchkeyClient } from "@latchkey/client";
import { PrismaClient } from "../examples/next-app/generated/prisma/client";
import { keyOf, operatorClient, BASE_URL } from "./fixtures";
import { pushExampleSchema } from "./example-app";

// @latchkey/authjs-adapter's session methods against the live Latchkey, around two adapters that
// keep users: a small one in memory, and Auth.js's Prisma adapter on the example app's SQLite
// schema (where the rest of Auth.js's adapter contract is checked to pass through untouched). The
// tests follow Auth.js's own adapter suite (@auth/core's runBasicTests) where it applies; where a
// Latchkey session differs (its token is Latchkey's, its expiry is the application's policy) the
// test says so.

interface User {
  id: string;
  email: string;
  emailVerified: Date | null;
  name?: string | null;
  image?: string | null;
}

interface Users {
  createUser(user: Omit<User, "id"> & { id?: string }): Promise<User>;
  getUser(id: string): Promise<User | null>;
  deleteUser(id: string): Promise<unknown>;
}

function memoryAdapter(): Users {
  const users = new Map<string, User>();
  return {
    async createUser(user) {
      const created = { ...user, id: randomUUID() };
      users.set(created.id, created);
      return created;
    },
    async getUser(id) {
      return users.get(id) ?? null;
    },
    async deleteUser(id) {
      users.delete(id);
      return null;
    },
  };
}

const UA = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0";
const DAY = 86_400_000;

for (const variant of ["in memory", "Auth.js's Prisma adapter"] as const) {
  test.describe(`withLatchkeySessions around ${variant}`, () => {
    test.describe.configure({ mode: "serial" });

    let app = "";
    let latchkey: LatchkeyClient;
    let inner: Users;
    let prisma: PrismaClient | null = null;
    let folder = "";
    let adapter: ReturnType<typeof withLatchkeySessions<Users>>;

    test.beforeAll(async () => {
      app = `authjs-${variant === "in memory" ? "memory" : "prisma"}-${Date.now()}`;
      await (await operatorClient()).createApplication({ name: app });
      latchkey = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(app) });
      if (variant === "in memory") {
        inner = memoryAdapter();
      } else {
        folder = mkdtempSync(path.join(tmpdir(), "latchkey-authjs-prisma-"));
        const file = path.join(folder, "app.db");
        pushExampleSchema(file);
        prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
        inner = PrismaAdapter(prisma as never) as unknown as Users;
      }
      adapter = withLatchkeySessions(inner, { client: latchkey, clientInfo: () => ({ ip: "198.51.100.23", userAgent: UA }) });
    });

    test.afterAll(async () => {
      await prisma?.$disconnect();
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    const newUser = (email: string) => adapter.createUser({ email, emailVerified: null });

    test("the session methods are Latchkey's and every other method is the wrapped adapter's own", () => {
      const ours = ["createSession", "getSessionAndUser", "updateSession", "deleteSession", "deleteUser"];
      const wrapped = adapter as unknown as Record<string, unknown>;
      const own = inner as unknown as Record<string, unknown>;
      for (const method of ours) expect(wrapped[method], method).toBeInstanceOf(Function);
      for (const method of ours) expect(wrapped[method], method).not.toBe(own[method]);
      for (const method of Object.keys(own).filter((name) => !ours.includes(name))) expect(wrapped[method], method).toBe(own[method]);
    });

    test("createSession starts a Latchkey session for the user, with the device; its token is Latchkey's (Auth.js puts what it returns in the cookie)", async () => {
      const user = await newUser(`ada-${Date.now()}@example.com`);
      const created = await adapter.createSession({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + 30 * DAY) });
      expect(created.sessionToken).toMatch(/^lks_/);
      expect(created.userId).toBe(user.id);
      // The expiry is the application's policy (idle timeout), not what Auth.js asked for.
      expect(created.expires.getTime()).toBeGreaterThan(Date.now());
      expect(created.expires.getTime()).toBeLessThan(Date.now() + 30 * DAY);

      const devices = (await latchkey.listUserSessions(user.id)).items;
      expect(devices).toEqual([expect.objectContaining({ ip: "198.51.100.23", browser: "Firefox", os: "Linux", userId: user.id })]);
      // The email goes along: support finds the person by it in Latchkey's console.
      const diagnosis = await (await operatorClient(app)).diagnose({ user: user.email });
      expect(diagnosis).toMatchObject({ verdict: "ACTIVE" });
    });

    test("getSessionAndUser answers the session and the wrapped adapter's user; an unknown token is null", async () => {
      const user = await newUser(`bea-${Date.now()}@example.com`);
      const created = await adapter.createSession({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + DAY) });
      expect(await adapter.getSessionAndUser("invalid-token")).toBeNull();
      expect(await adapter.getSessionAndUser(`lks_${"A".repeat(22)}.${"B".repeat(43)}`)).toBeNull();
      const found = await adapter.getSessionAndUser(created.sessionToken);
      expect(found).toEqual({ session: { sessionToken: created.sessionToken, userId: user.id, expires: expect.any(Date) }, user: await inner.getUser(user.id) });
    });

    test("updateSession slides the session in Latchkey (never past its absolute cap); an ended one is null", async () => {
      const user = await newUser(`cy-${Date.now()}@example.com`);
      const created = await adapter.createSession({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + DAY) });
      const before = (await latchkey.listUserSessions(user.id)).items[0]!;
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const updated = await adapter.updateSession({ sessionToken: created.sessionToken, expires: new Date(Date.now() + 60 * DAY) });
      expect(updated).toMatchObject({ sessionToken: created.sessionToken, userId: user.id });
      expect(updated!.expires.getTime()).toBeGreaterThan(new Date(before.idleExpiresAt).getTime());
      expect(updated!.expires.getTime()).toBeLessThanOrEqual(new Date(before.absoluteExpiresAt).getTime());
      expect(await adapter.updateSession({ sessionToken: "invalid-token" })).toBeNull();
    });

    test("a session support logged out everywhere is gone for Auth.js: no session, no update", async () => {
      const user = await newUser(`dee-${Date.now()}@example.com`);
      const { sessionToken } = await adapter.createSession({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + DAY) });
      await (await operatorClient(app)).revokeUserSessions(user.id, { note: "ticket 4711" });
      expect(await adapter.getSessionAndUser(sessionToken)).toBeNull();
      expect(await adapter.updateSession({ sessionToken })).toBeNull();
    });

    test("deleteSession signs out in Latchkey (SIGNED_OUT), and again is no error", async () => {
      const user = await newUser(`eve-${Date.now()}@example.com`);
      const { sessionToken } = await adapter.createSession({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + DAY) });
      expect(await adapter.deleteSession(sessionToken)).toBeNull();
      const [ended] = (await latchkey.listSessions({ userId: user.id })).items;
      expect(ended).toMatchObject({ status: "revoked", revokedReason: "SIGNED_OUT" });
      expect(await adapter.deleteSession(sessionToken)).toBeNull();
      expect(await adapter.getSessionAndUser(sessionToken)).toBeNull();
      expect(await adapter.deleteSession("invalid-token")).toBeNull();
    });

    test("deleteUser deletes the user and ends every session of theirs in Latchkey", async () => {
      const user = await newUser(`fay-${Date.now()}@example.com`);
      const sessions = [];
      for (let i = 0; i < 2; i++) sessions.push(await adapter.createSession({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + DAY) }));
      await adapter.deleteUser(user.id);
      expect(await inner.getUser(user.id)).toBeNull();
      expect((await latchkey.listUserSessions(user.id)).items).toEqual([]);
      for (const { sessionToken } of sessions) expect(await adapter.getSessionAndUser(sessionToken)).toBeNull();
      const ended = (await latchkey.listSessions({ userId: user.id })).items;
      expect(ended.map((session) => [session.revokedReason, session.revokeNote])).toEqual([
        ["LOGGED_OUT_EVERYWHERE", "account deleted"],
        ["LOGGED_OUT_EVERYWHERE", "account deleted"],
      ]);
    });

    test("a session whose user the wrapped adapter no longer has is no session", async () => {
      const user = await newUser(`gus-${Date.now()}@example.com`);
      const { sessionToken } = await adapter.createSession({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + DAY) });
      await inner.deleteUser(user.id);
      expect(await adapter.getSessionAndUser(sessionToken)).toBeNull();
    });

    if (variant === "Auth.js's Prisma adapter") {
      test("users, accounts and verification tokens stay in the app's database, through the Prisma adapter as before", async () => {
        type Full = Record<string, (...args: never[]) => Promise<unknown>>;
        const full = adapter as unknown as Full;
        const call = (method: string, ...args: unknown[]) => (full[method] as (...a: unknown[]) => Promise<unknown>)(...args);
        const email = `hal-${Date.now()}@example.com`;
        const user = (await call("createUser", { id: randomUUID(), email, emailVerified: new Date(), name: "Hal", image: null })) as User;
        expect(await call("getUserByEmail", email)).toEqual(user);
        expect(await call("getUserByEmail", "nobody@example.com")).toBeNull();
        expect(await call("updateUser", { id: user.id, name: "Hal 9000" })).toMatchObject({ id: user.id, name: "Hal 9000" });
        const account = { userId: user.id, type: "oauth", provider: "github", providerAccountId: randomUUID(), access_token: randomUUID(), token_type: "bearer", scope: "user" };
        await call("linkAccount", account);
        expect(await call("getUserByAccount", { provider: "github", providerAccountId: account.providerAccountId })).toMatchObject({ id: user.id, name: "Hal 9000" });
        expect(await call("getUserByAccount", { provider: "github", providerAccountId: "nope" })).toBeNull();
        await call("unlinkAccount", { provider: "github", providerAccountId: account.providerAccountId });
        expect(await call("getUserByAccount", { provider: "github", providerAccountId: account.providerAccountId })).toBeNull();
        const token = { identifier: email, token: randomUUID(), expires: new Date(Date.now() + 15 * 60_000) };
        await call("createVerificationToken", token);
        expect(await call("useVerificationToken", { identifier: email, token: token.token })).toEqual(token);
        expect(await call("useVerificationToken", { identifier: email, token: token.token })).toBeNull();
        // Nothing of a session is kept in the app's database: it has no table for them.
        expect(Object.keys(prisma!)).not.toContain("session");
      });
    }
  });
}
