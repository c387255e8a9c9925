import Database from "better-sqlite3";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { createLatchkeyClient } from "@latchkey/client";
import { ADMIN, BASE_URL, DATABASE_FILE, client, createAccountThroughConsole, keyOf, operatorClient, rowCounts, sessionRow, signIn } from "./fixtures";

// The application boundary over HTTP: what a key of one application may reach, the console's
// own sessions out of every key's reach, and the escalation a review found, replayed.
const IP = "198.51.100.40";
test.use({ extraHTTPHeaders: { "x-forwarded-for": IP } });

/** Every row of the sessions, users, OAuth states and keys tables, read from the file. */
function rows(): string {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    return JSON.stringify(
      ["Session", "User", "OAuthState", "ApiKey", "Application", "SweptSession"].map((table) => db.prepare(`SELECT * FROM "${table}" ORDER BY 1, 2`).all()),
    );
  } finally {
    db.close();
  }
}

function auditCount(): number {
  return rowCounts().AuditEvent!;
}

interface Target {
  token: string;
  sessionId: string;
  userId: string;
  guest: string;
  state: string;
}

/** A call's answer with the target's own ids blanked out, to compare with the answer for an unknown target. */
async function answer(request: APIRequestContext, key: string, call: Call, target: Target, ids: string[]) {
  const response = await request.fetch(`${BASE_URL}${call.path(target)}`, {
    method: call.method,
    headers: { authorization: `Bearer ${key}`, ...(call.body ? { "content-type": "application/json" } : {}) },
    data: call.body ? JSON.stringify(call.body(target)) : undefined,
  });
  let text = await response.text();
  for (const id of ids) text = text.split(id).join("<id>");
  // A diagnosis lists the caller's own refusals, which the attempts before it wrote (a second
  // later, in batches): their number depends on timing, not on whose target it was.
  text = text.replace(/"refusals":\[.*?\](?=,"candidates")/, '"refusals":"…"');
  return { status: response.status(), body: text };
}

interface Call {
  name: string;
  method: string;
  path: (target: Target) => string;
  body?: (target: Target) => unknown;
}

const enc = encodeURIComponent;
const CALLS: Call[] = [
  { name: "resolve", method: "POST", path: () => "/api/v1/sessions/resolve", body: (t) => ({ token: t.token }) },
  { name: "refresh", method: "POST", path: () => "/api/v1/sessions/refresh", body: (t) => ({ token: t.token }) },
  { name: "rotate", method: "POST", path: () => "/api/v1/sessions/refresh", body: (t) => ({ token: t.token, rotate: true }) },
  { name: "exchange for an access token", method: "POST", path: () => "/api/v1/sessions/token", body: (t) => ({ token: t.token }) },
  { name: "upgrade a guest", method: "POST", path: () => "/api/v1/sessions/upgrade", body: (t) => ({ token: t.guest, userId: "someone" }) },
  { name: "read", method: "GET", path: (t) => `/api/v1/sessions/${enc(t.sessionId)}` },
  { name: "relabel", method: "PATCH", path: (t) => `/api/v1/sessions/${enc(t.sessionId)}`, body: () => ({ deviceLabel: "stolen" }) },
  { name: "revoke", method: "DELETE", path: (t) => `/api/v1/sessions/${enc(t.sessionId)}`, body: () => ({ note: "attack" }) },
  { name: "list by session id", method: "GET", path: (t) => `/api/v1/sessions?sessionId=${enc(t.sessionId)}` },
  { name: "list by user", method: "GET", path: (t) => `/api/v1/sessions?userId=${enc(t.userId)}` },
  { name: "a user's live sessions", method: "GET", path: (t) => `/api/v1/users/${enc(t.userId)}/sessions` },
  { name: "log a user out everywhere", method: "DELETE", path: (t) => `/api/v1/users/${enc(t.userId)}/sessions`, body: () => ({ note: "attack" }) },
  { name: "diagnose a token", method: "POST", path: () => "/api/v1/diagnose", body: (t) => ({ token: t.token }) },
  { name: "diagnose a session", method: "POST", path: () => "/api/v1/diagnose", body: (t) => ({ sessionId: t.sessionId }) },
  { name: "diagnose a user", method: "POST", path: () => "/api/v1/diagnose", body: (t) => ({ user: t.userId }) },
  { name: "consume an OAuth state", method: "POST", path: () => "/api/v1/oauth-states/consume", body: (t) => ({ state: t.state }) },
  { name: "revoke by filter", method: "POST", path: () => "/api/v1/sessions/revoke", body: (t) => ({ filter: { userId: t.userId }, note: "attack" }) },
];

test("isolation matrix over HTTP: keys of A and B × every endpoint × targets in A, B and the console", async ({ request }) => {
  test.setTimeout(180_000);
  // The operator makes two applications through the admin API, signed in as the console's admin.
  const signedIn = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" });
  const { token: adminToken, user: admin } = await signedIn.createConsoleSession({ email: ADMIN.email, password: ADMIN.password });
  const operator = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: adminToken });
  const stamp = Date.now();
  const appA = (await operator.createApplication({ name: `iso-a-${stamp}` })).application;
  const appB = (await operator.createApplication({ name: `iso-b-${stamp}` })).application;
  const keys = { A: keyOf(appA.id), B: keyOf(appB.id) };

  // Targets: a session, a guest and an OAuth state in A and in B; the admin's console session.
  const targets: Record<string, Target> = {};
  for (const [name, key] of Object.entries(keys)) {
    const api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: key });
    const userId = `person-${name}-${stamp}`;
    const { token, session } = await api.createSession({ userId });
    const guest = await api.createGuestSession();
    const { state } = await api.issueOAuthState({ data: { from: name } });
    targets[name] = { token, sessionId: session.id, userId, guest: guest.token, state };
  }
  const consoleSession = await signedIn.createConsoleSession({ email: ADMIN.email, password: ADMIN.password });
  const consoleId = /^lks_([A-Za-z0-9_-]{22})\./.exec(consoleSession.token)![1]!;
  targets.console = { token: consoleSession.token, sessionId: consoleId, userId: admin.id, guest: consoleSession.token, state: `lko_${"C".repeat(22)}.${"C".repeat(43)}` };
  const unknown: Target = {
    token: `lks_${"Q".repeat(22)}.${"Q".repeat(43)}`,
    sessionId: "Q".repeat(22),
    userId: `nobody-${stamp}`,
    guest: `lks_${"R".repeat(22)}.${"R".repeat(43)}`,
    state: `lko_${"Q".repeat(22)}.${"Q".repeat(43)}`,
  };
  const blank = (t: Target) => [t.token, t.sessionId, t.userId, t.guest, t.state, t.token.slice(4, 26), t.guest.slice(4, 26), t.state.slice(4, 26)];
  const ids = [...Object.values(targets).flatMap(blank), ...blank(unknown)];

  let attempts = 0;
  for (const [keyName, key] of Object.entries(keys)) {
    for (const call of CALLS) {
      const asUnknown = await answer(request, key, call, unknown, ids);
      expect(asUnknown.status, `${call.name} of an unknown target`).toBeLessThan(500);
      for (const targetName of ["A", "B", "console"].filter((name) => name !== keyName)) {
        const before = { rows: rows(), audit: auditCount() };
        const got = await answer(request, key, call, targets[targetName]!, ids);
        expect(got, `${keyName}'s key: ${call.name} of ${targetName}'s target`).toEqual(asUnknown);
        expect(rows(), `${keyName}'s key: ${call.name} of ${targetName}'s target changed a row`).toBe(before.rows);
        expect(auditCount(), `${keyName}'s key: ${call.name} of ${targetName}'s target wrote an audit event`).toBe(before.audit);
        attempts += 1;
      }
    }
  }
  console.info(`isolation matrix: ${attempts} cross-application attempts, each answered as for an unknown target, no row changed`);

  // Each key reaches its own, and a user id is per application: "shared" in A is not "shared" in B.
  const inA = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keys.A });
  const inB = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keys.B });
  expect((await inA.getSession(targets.A!.sessionId)).session.appId).toBe(appA.id);
  expect(await inA.consumeOAuthState(targets.A!.state)).toEqual({ data: { from: "A" } });
  expect((await inA.whoami()).principal.application).toEqual({ id: appA.id, name: appA.name });
  const sharedA = await inA.createSession({ userId: "shared" });
  const sharedB = await inB.createSession({ userId: "shared" });
  expect(await inA.revokeUserSessions("shared", { note: "A only" })).toEqual({ revoked: 1 });
  expect((await inA.resolveSession(sharedA.token)).authenticated).toBe(false);
  expect((await inB.resolveSession(sharedB.token)).authenticated).toBe(true);
  // A key cannot ask for another application.
  const named = await request.get(`${BASE_URL}/api/v1/sessions`, { headers: { authorization: `Bearer ${keys.A}`, "latchkey-app": appB.name } });
  expect(named.status()).toBe(403);
  // Counting reaches the key's own application only: A's session and guest.
  expect((await inA.statistics()).active).toBe(2);
});

test("the escalation, replayed: a session minted for the admin's id is refused by every API route and reaches no console page; a SUPPORT account cannot mint one either", async ({ request, browser }) => {
  test.setTimeout(120_000);
  const signedIn = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" });
  const { user: admin } = await signedIn.createConsoleSession({ email: ADMIN.email, password: ADMIN.password });
  const key = keyOf("default");
  const app = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: key });
  const minted = await app.createSession({ userId: admin.id, roles: ["ADMIN"] });
  expect(minted.session.appId).toBe("default");

  // Every route that takes a bearer: 401, as for any credential that is not a console session.
  const openapi = (await (await request.get(`${BASE_URL}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  let routes = 0;
  const before = rows();
  // Each from its own address: the point is the 401, not the limit on failed authentications.
  for (const [path, methods] of Object.entries(openapi.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation.security?.length) continue;
      const url = `${BASE_URL}${path.replace(/\{[^}]+\}/g, "x".repeat(22))}`;
      const response = await request.fetch(url, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${minted.token}`, "content-type": "application/json", "x-forwarded-for": `198.51.100.${100 + routes}` },
        data: method === "get" ? undefined : "{}",
      });
      expect(response.status(), `${method.toUpperCase()} ${path}`).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
      routes += 1;
    }
  }
  expect(routes).toBeGreaterThan(15);
  expect(rows()).toBe(before);

  // No console page: not as a bearer, not as a cookie.
  for (const headers of [{ authorization: `Bearer ${minted.token}` }, { cookie: `next-auth.session-token=${minted.token}` }] as Record<string, string>[]) {
    const page = await request.get(`${BASE_URL}/overview`, { headers, maxRedirects: 0 });
    expect(page.status()).toBe(307);
    expect(page.headers().location).toContain("/login");
  }

  // A SUPPORT account from the command line writes sessions in an application it names, never the console's.
  const admins = await (await browser.newContext()).newPage();
  await signIn(admins);
  const support = await createAccountThroughConsole(admins, browser, "SUPPORT");
  const supportSession = await signedIn.createConsoleSession({ email: support.email, password: support.password });
  const asSupport = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: supportSession.token });
  const unnamed = await asSupport.createSession({ userId: admin.id }).catch((error: unknown) => error);
  expect(unnamed).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  const consoleNamed = await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: supportSession.token, app: "console" })
    .createSession({ userId: admin.id })
    .catch((error: unknown) => error);
  expect(consoleNamed).toMatchObject({ status: 404, code: "APP_NOT_FOUND" });
  const inDefault = await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: supportSession.token, app: "default" }).createSession({ userId: admin.id });
  expect(inDefault.session.appId).toBe("default");
  const me = await request.get(`${BASE_URL}/api/v1/me`, { headers: { authorization: `Bearer ${inDefault.token}` } });
  expect(me.status()).toBe(401);
});

test("roles act downwards over the API too: a SUPPORT account's bearer cannot end, relabel or log out an ADMIN's console session, nor switch any tenant; no row changes", async ({ browser }) => {
  const admins = await (await browser.newContext()).newPage();
  await signIn(admins);
  const support = await createAccountThroughConsole(admins, browser, "SUPPORT");
  const signedIn = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" });
  const adminSession = await signedIn.createConsoleSession({ email: ADMIN.email, password: ADMIN.password });
  const asSupport = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: (await signedIn.createConsoleSession({ email: support.email, password: support.password })).token });
  const { session: appSession } = await client("all").createSession({ userId: "tenant-switch-target", tenantId: "acme" });

  const before = rowCounts();
  const refusals = await Promise.all([
    asSupport.revokeSession(adminSession.token.slice(4, 26), { reason: "REVOKED" }),
    asSupport.updateSession(adminSession.token.slice(4, 26), { deviceLabel: "pwned" }),
    asSupport.revokeUserSessions(adminSession.user.id),
    asSupport.updateSession(appSession.id, { tenantId: "elsewhere" }),
  ].map((call) => call.then(() => "answered", (error: unknown) => (error as { status?: number; code?: string }))));
  // Ending or relabelling the ADMIN's session and switching a tenant: refused for the role.
  for (const index of [0, 1, 3]) expect(refusals[index]).toMatchObject({ status: 403, code: "FORBIDDEN" });
  // Logging an account out everywhere needs an application, and the console is none a bearer can name.
  expect(refusals[2]).toMatchObject({ status: expect.any(Number) });
  expect((refusals[2] as { status: number }).status).toBeGreaterThanOrEqual(400);
  expect((refusals[2] as { status: number }).status).toBeLessThan(500);
  expect(rowCounts()).toEqual(before);
  expect(sessionRow(adminSession.token.slice(4, 26))).toMatchObject({ revokedAt: null, deviceLabel: null });
  expect(sessionRow(appSession.id)).toMatchObject({ tenantId: "acme" });
  // The admin's own bearer still works: nothing was ended.
  expect((await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: adminSession.token }).whoami()).principal.role).toBe("ADMIN");
});

test("an admin shortens an application's absolute cap: reads how many sessions it ends, confirms, and finds them absolute-expired with the change in their timelines", async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await (await browser.newContext()).newPage();
  await signIn(page);
  await page.getByRole("link", { name: "Applications" }).click();
  const name = `policy-flow-${Date.now()}`;
  const form = page.getByRole("form", { name: "New application" });
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create application" }).click();
  await form.getByRole("link", { name: "Set its policy" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const appId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);

  const api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(appId) });
  const signedIn = [];
  for (let i = 0; i < 3; i++) signedIn.push(await api.createSession({ userId: `member-${i}` }));
  await new Promise((resolve) => setTimeout(resolve, 4_000));

  const policy = page.getByRole("form", { name: "Session policy" });
  await policy.getByLabel("Idle timeout").fill("2s");
  await policy.getByLabel("Absolute cap").fill("3s");
  await policy.getByLabel("Touch interval").fill("1s");
  await policy.getByRole("button", { name: "Preview" }).click();
  await expect(policy.getByTestId("policy-impact")).toHaveText("It ends 3 live sessions now: 3 past the new absolute cap, 0 idle for longer than the new idle timeout.");
  // The preview changed nothing.
  for (const { token } of signedIn) expect((await api.resolveSession(token)).authenticated).toBe(true);

  await policy.getByRole("button", { name: "Apply this policy" }).click();
  await expect(policy.getByTestId("job-progress")).toHaveAttribute("data-finished", "true", { timeout: 15_000 });
  await expect(policy.getByTestId("job-progress")).toContainText("Applied to every live session: 3 ended.");
  for (const { token } of signedIn) expect(await api.resolveSession(token)).toMatchObject({ authenticated: false, reason: "ABSOLUTE_EXPIRED" });

  await page.goto(`/sessions?app=${encodeURIComponent(appId)}`);
  const rows = page.locator("tr[data-session-id]");
  await expect(rows.getByTestId("session-status")).toHaveText(["absolute-expired", "absolute-expired", "absolute-expired"]);
  await page.goto(`/sessions/${signedIn[0]!.session.id}`);
  await expect(page.locator('[data-event-type="session.ended_by_policy"]')).toContainText("absolute");
  await page.goto(`/applications/${encodeURIComponent(appId)}`);
  await expect(page.locator('[data-event-type="application.policy_changed"]')).toContainText("it ended 3 live sessions");
});

test("the applications list counts each application's live sessions, over the API and on its pages, and says when it counted them", async ({ browser }) => {
  const operator = await operatorClient();
  const { application } = await operator.createApplication({ name: `counted-${Date.now()}` });
  const api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(application.id) });
  await api.createSession({ userId: "counted-one" });
  await api.createGuestSession();
  const ended = await api.createSession({ userId: "counted-two" });
  await api.revokeSession(ended.session.id);

  const list = await operator.listApplications();
  expect(list.items.find((app) => app.id === application.id)?.liveSessions).toBe(2);
  // A few sessions cost nothing to count: the counts are computed for this call.
  expect(list.live).toBe(true);
  expect(Math.abs(Date.parse(list.asOf) - Date.now())).toBeLessThan(60_000);

  const page = await (await browser.newContext()).newPage();
  await signIn(page);
  await page.goto("/applications");
  await expect(page.locator(`tr[data-application="${application.name}"]`).getByTestId("live-sessions")).toHaveText("2");
  await expect(page.getByTestId("figures-as-of")).toHaveText("Figures are live.");
  await page.goto(`/applications/${encodeURIComponent(application.id)}`);
  await expect(page.getByTestId("app-live")).toHaveText("2");
});

test("the applications list and its counts are refused to an application's key and to a SUPPORT account, and a refusal changes no row", async ({ browser, request }) => {
  const operator = await operatorClient();
  const { application } = await operator.createApplication({ name: `hidden-${Date.now()}` });
  const admins = await (await browser.newContext()).newPage();
  await signIn(admins);
  const support = await createAccountThroughConsole(admins, browser, "SUPPORT");
  const { token: supportToken } = await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" }).createConsoleSession({ email: support.email, password: support.password });
  const bearers = [keyOf(application.id), supportToken];
  // A refused call is logged as a refusal; nothing else may be written.
  const counts = () => Object.fromEntries(Object.entries(rowCounts()).filter(([table]) => table !== "Refusal"));
  const before = counts();
  for (const bearer of bearers) {
    const response = await request.get(`${BASE_URL}/api/v1/apps`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(response.status()).toBe(403);
    const text = await response.text();
    expect(text).not.toContain(application.name);
    expect(text).not.toContain("liveSessions");
  }
  expect(counts()).toEqual(before);
});
