import { expect, test } from "@playwright/test";
import { withLatchkeySessions } from "@latchkey/authjs-adapter";
import { createLatchkeyClient, type LatchkeyClient } from "@latchkey/client";
import { keyOf, operatorClient, BASE_URL } from "./fixtures";

// @latchkey/authjs-adapter's session methods against the live Latchkey, wrapped around a small
// adapter that keeps users in memory (as an application's own adapter keeps them in its database).

interface User {
  id: string;
  email: string;
  emailVerified: Date | null;
}

const users = new Map<string, User>();
const inner = {
  async createUser(user: Omit<User, "id">): Promise<User> {
    const created = { ...user, id: `u_${users.size + 1}_${Date.now()}` };
    users.set(created.id, created);
    return created;
  },
  async getUser(id: string): Promise<User | null> {
    return users.get(id) ?? null;
  },
};

let app = "";
let latchkey: LatchkeyClient;
let adapter: ReturnType<typeof withLatchkeySessions<typeof inner>>;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  app = `authjs-${Date.now()}`;
  await (await operatorClient()).createApplication({ name: app });
  latchkey = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(app) });
  adapter = withLatchkeySessions(inner, { client: latchkey, clientInfo: () => ({ ip: "198.51.100.23", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0" }) });
});

test("createSession starts a Latchkey session for the user, with the device, whose token Auth.js keeps; getSessionAndUser and updateSession answer it", async () => {
  const user = await adapter.createUser({ email: "ada@example.com", emailVerified: null });
  const created = await adapter.createSession({ sessionToken: "token-auth-js-made-up", userId: user.id, expires: new Date(Date.now() + 30 * 86_400_000) });
  expect(created.sessionToken).toMatch(/^lks_/);
  expect(created.userId).toBe(user.id);
  expect(created.expires.getTime()).toBeGreaterThan(Date.now());

  const devices = (await latchkey.listUserSessions(user.id)).items;
  expect(devices).toHaveLength(1);
  expect(devices[0]).toMatchObject({ ip: "198.51.100.23", browser: "Firefox", os: "Linux" });

  const found = await adapter.getSessionAndUser(created.sessionToken);
  expect(found).toEqual({ session: { sessionToken: created.sessionToken, userId: user.id, expires: expect.any(Date) }, user });
  const updated = await adapter.updateSession({ sessionToken: created.sessionToken });
  expect(updated).toMatchObject({ sessionToken: created.sessionToken, userId: user.id });
  expect(updated!.expires.getTime()).toBeGreaterThanOrEqual(created.expires.getTime() - 1_000);
});

test("a session support logged out everywhere is gone for Auth.js: no session, no update", async () => {
  const user = await adapter.createUser({ email: "bob@example.com", emailVerified: null });
  const { sessionToken } = await adapter.createSession({ sessionToken: "x", userId: user.id, expires: new Date(Date.now() + 86_400_000) });
  await (await operatorClient(app)).revokeUserSessions(user.id, { note: "ticket 4711" });
  expect(await adapter.getSessionAndUser(sessionToken)).toBeNull();
  expect(await adapter.updateSession({ sessionToken })).toBeNull();
});

test("deleteSession signs out in Latchkey (SIGNED_OUT), and again is no error", async () => {
  const user = await adapter.createUser({ email: "carol@example.com", emailVerified: null });
  const { sessionToken } = await adapter.createSession({ sessionToken: "x", userId: user.id, expires: new Date(Date.now() + 86_400_000) });
  expect(await adapter.deleteSession(sessionToken)).toBeNull();
  const [ended] = (await latchkey.listSessions({ userId: user.id })).items;
  expect(ended).toMatchObject({ status: "revoked", revokedReason: "SIGNED_OUT" });
  expect(await adapter.deleteSession(sessionToken)).toBeNull();
  expect(await adapter.getSessionAndUser(sessionToken)).toBeNull();
});

test("a token that is not Latchkey's, or a session whose user the adapter no longer has, is no session", async () => {
  expect(await adapter.getSessionAndUser("a-token-auth-js-made-before")).toBeNull();
  expect(await adapter.updateSession({ sessionToken: "a-token-auth-js-made-before" })).toBeNull();
  expect(await adapter.deleteSession("a-token-auth-js-made-before")).toBeNull();
  const user = await adapter.createUser({ email: "dan@example.com", emailVerified: null });
  const { sessionToken } = await adapter.createSession({ sessionToken: "x", userId: user.id, expires: new Date(Date.now() + 86_400_000) });
  users.delete(user.id);
  expect(await adapter.getSessionAndUser(sessionToken)).toBeNull();
});
