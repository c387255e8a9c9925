import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { createLatchkeyClient, type LatchkeyClient } from "@latchkey/client";
import { createEdgeSessionCheck } from "@latchkey/client/edge";
import { latchkeyMiddleware, type LatchkeyMiddlewareOptions, type LatchkeyRequest } from "@latchkey/client/express";
import { ADMIN, BASE_URL, keyOf, operatorClient } from "./fixtures";

// @latchkey/client's Express/Connect middleware in front of a small application, against the
// live Latchkey: every way a session can be, and Latchkey unreachable.

const servers: Server[] = [];
let app = "";
let appId = "";
let latchkey: LatchkeyClient;

/** An application server whose every request goes through the middleware; answers who is signed in. */
async function appServer(options: Partial<LatchkeyMiddlewareOptions> & { client?: LatchkeyClient } = {}): Promise<string> {
  const middleware = latchkeyMiddleware({ client: latchkey, secureCookie: false, ...options });
  const server = createServer((request: LatchkeyRequest, response) => {
    void middleware(request, response, () => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ user: request.latchkey?.user.id, session: request.latchkey?.session.id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function get(url: string, token?: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { ...(token ? { cookie: `latchkey_session=${token}` } : {}), ...headers } });
  return { status: response.status, body: (await response.json()) as Record<string, any>, cookie: response.headers.get("set-cookie") };
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  app = `middleware-${Date.now()}`;
  // A short rotation grace, so that "after the window" comes within the test.
  appId = (await (await operatorClient()).createApplication({ name: app, policy: { rotationGraceSeconds: 3 } })).application.id;
  latchkey = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(app) });
});

test.afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

test("a live session passes with its user, from the cookie or a bearer header; no token is a 401 asking to sign in", async () => {
  const url = await appServer();
  const { token, session } = await latchkey.createSession({ userId: "mw-live" });
  expect(await get(url, token)).toMatchObject({ status: 200, body: { user: "mw-live", session: session.id } });
  expect(await get(url, undefined, { authorization: `Bearer ${token}` })).toMatchObject({ status: 200, body: { user: "mw-live" } });
  const missing = await get(url);
  expect(missing).toMatchObject({ status: 401, body: { error: { code: "SESSION_ENDED", reason: "MISSING", message: "Please sign in." } }, cookie: null });
});

test("an idle-expired session is a 401 that says so, and the cookie is cleared", async () => {
  const url = await appServer();
  const { token } = await latchkey.createSession({ userId: "mw-idle", idleTimeoutSeconds: 1 });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const answer = await get(url, token);
  expect(answer).toMatchObject({ status: 401, body: { error: { code: "SESSION_ENDED", reason: "IDLE_EXPIRED" } } });
  expect(answer.body.error.message).toContain("inactivity");
  expect(answer.cookie).toMatch(/^latchkey_session=; Path=\/; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970/);
});

test("a session support logged out everywhere is a 401 with who, when and why; the person's address and browser reach Latchkey", async () => {
  // Behind a proxy the app says who the client is; the middleware forwards it.
  const url = await appServer({ clientInfo: (request) => ({ ip: "203.0.113.50", userAgent: request.headers["user-agent"] }) });
  const { token, session } = await latchkey.createSession({ userId: "mw-revoked" });
  await (await operatorClient(app)).revokeUserSessions("mw-revoked", { note: "ticket 4711" });
  const answer = await get(url, token, { "user-agent": "mw-test-browser/1.0" });
  expect(answer.status).toBe(401);
  expect(answer.body.error).toMatchObject({ reason: "REVOKED", revokedReason: "LOGGED_OUT_EVERYWHERE", revokedBy: `user:${ADMIN.email}`, revokeNote: "ticket 4711" });
  expect(answer.body.error.message).toMatch(new RegExp(`^You were signed out by ${ADMIN.email.replace(/[.+]/g, "\\$&")} at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC: ticket 4711\\.$`));
  // The refusal log is written in batches, within a second or so.
  await expect.poll(async () => (await latchkey.diagnose({ sessionId: session.id })).refusals[0], { timeout: 10_000 }).toMatchObject({ userAgent: "mw-test-browser/1.0", ip: "203.0.113.50" });
});

test("with rotation, a request gets a new token; the old one passes within the grace window and ends the session after it", async () => {
  const url = await appServer({ rotateAfterSeconds: 0 });
  const { token: first } = await latchkey.createSession({ userId: "mw-rotate" });
  const rotated = await get(url, first);
  expect(rotated.status).toBe(200);
  const second = /^latchkey_session=([^;]+)/.exec(rotated.cookie ?? "")?.[1];
  expect(second && decodeURIComponent(second)).toMatch(/^lks_/);
  expect(decodeURIComponent(second!)).not.toBe(first);
  // A request that was in flight with the old token, within the window: it passes, unchanged.
  const inFlight = await get(url, first);
  expect(inFlight).toMatchObject({ status: 200, body: { user: "mw-rotate" }, cookie: null });
  // A bearer token is never rotated: its client would not see the new one.
  const { token: bearer } = await latchkey.createSession({ userId: "mw-rotate-bearer" });
  expect(await get(url, undefined, { authorization: `Bearer ${bearer}` })).toMatchObject({ status: 200, cookie: null });
  await new Promise((resolve) => setTimeout(resolve, 3_300));
  const replayed = await get(url, first);
  expect(replayed).toMatchObject({ status: 401, body: { error: { reason: "REUSE_DETECTED" } } });
  // Reuse ends the whole sign-in: the newer token too.
  expect((await get(url, decodeURIComponent(second!))).status).toBe(401);
});

test("Latchkey unreachable, or the API key refused, is a 503: never a pass; a token of the wrong shape is refused without asking", async () => {
  const { token } = await latchkey.createSession({ userId: "mw-down" });
  const quiet = { onUnavailable: () => {} };
  const nowhere = await appServer({ ...quiet, client: createLatchkeyClient({ baseUrl: "http://127.0.0.1:9", apiKey: "lka_whatever" }) });
  expect(await get(nowhere, token)).toMatchObject({ status: 503, body: { error: { code: "SESSION_SERVICE_UNAVAILABLE" } } });
  expect(await get(nowhere, "not-a-token")).toMatchObject({ status: 401, body: { error: { reason: "MALFORMED" } } });
  const badKey = await appServer({ ...quiet, client: createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "lka_not_a_key" }) });
  expect(await get(badKey, token)).toMatchObject({ status: 503, body: { error: { code: "SESSION_SERVICE_UNAVAILABLE" } } });
});

test("with required: false, a request without a live session goes on as nobody, and a dead cookie is cleared", async () => {
  const url = await appServer({ required: false });
  const { token, session } = await latchkey.createSession({ userId: "mw-optional" });
  await latchkey.revokeSession(session.id, { reason: "SIGNED_OUT" });
  const answer = await get(url, token);
  expect(answer).toMatchObject({ status: 200, body: {} });
  expect(answer.body.user).toBeUndefined();
  expect(answer.cookie).toMatch(/^latchkey_session=; .*1970/);
});

test("the edge check passes on a signed access token with no call to Latchkey, trades the session token when it has none, and says why an ended session fails", async () => {
  const verifier = { issuer: BASE_URL, audience: appId, jwksUrl: `${BASE_URL}/.well-known/jwks.json` };
  const check = createEdgeSessionCheck({ verifier, client: latchkey, secureCookie: false });
  const request = (cookies: Record<string, string>) =>
    new Request("https://app.example/account", { headers: { cookie: Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join("; ") } });
  const { token, session } = await latchkey.createSession({ userId: "edge-user" });

  expect(await check(request({}))).toMatchObject({ ok: false, unavailable: false, ended: { reason: "MISSING" } });
  const traded = await check(request({ latchkey_session: token }));
  expect(traded).toMatchObject({ ok: true, access: { sessionId: session.id, userId: "edge-user", appId } });
  expect(traded.setCookies).toHaveLength(1);
  const access = /^latchkey_access=([^;]+)/.exec(traded.setCookies[0]!)![1]!;
  expect(traded.setCookies[0]).toMatch(/; HttpOnly; SameSite=Lax; Expires=/);

  // With the access token, no call to Latchkey: a client that cannot reach it still passes.
  const offline = createEdgeSessionCheck({ verifier, client: createLatchkeyClient({ baseUrl: "http://127.0.0.1:9", apiKey: "lka_x" }), secureCookie: false });
  expect(await offline(request({ latchkey_session: token, latchkey_access: access }))).toMatchObject({ ok: true, setCookies: [] });
  // Without it, that check cannot ask Latchkey: unavailable, never a pass.
  expect(await offline(request({ latchkey_session: token }))).toMatchObject({ ok: false, unavailable: true });
  // An access token left by an earlier sign-in on this browser does not stand for the current one.
  const { token: later, session: laterSession } = await latchkey.createSession({ userId: "edge-user-2" });
  expect(await check(request({ latchkey_session: later, latchkey_access: access }))).toMatchObject({ ok: true, access: { sessionId: laterSession.id, userId: "edge-user-2" } });
  // A tampered access token is traded for a new one, not believed.
  expect(await check(request({ latchkey_session: token, latchkey_access: `${access.slice(0, -4)}AAAA` }))).toMatchObject({ ok: true, setCookies: [expect.stringMatching(/^latchkey_access=/)] });

  // Ended: until the access token expires it still passes (documented); without one, the answer says who and why.
  await (await operatorClient(app)).revokeUserSessions("edge-user", { note: "ticket 4711" });
  expect(await check(request({ latchkey_session: token, latchkey_access: access }))).toMatchObject({ ok: true });
  const ended = await check(request({ latchkey_session: token }));
  expect(ended).toMatchObject({ ok: false, unavailable: false, ended: { reason: "REVOKED", revokedReason: "LOGGED_OUT_EVERYWHERE", revokeNote: "ticket 4711" } });
  expect(ended.setCookies).toEqual([expect.stringMatching(/^latchkey_session=; .*1970/), expect.stringMatching(/^latchkey_access=; .*1970/)]);
});
