import { expect, test, type Browser, type Page } from "@playwright/test";
import {
  ADMIN,
  answersWithStoredHashes,
  apiKeys,
  BASE_URL,
  checkAnswers,
  client,
  createAccountThroughConsole,
  keepAnswer,
  recordAction,
  replayAction,
  rowCounts,
  signIn,
  storedHashes,
  watchAnswers,
  watchPage,
} from "./fixtures";

// Every page and action answer of this file is kept, and checked by its last test for stored hashes.
test.beforeAll(() => watchAnswers());

const DEVICES = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36",
];

async function asAdmin(browser: Browser): Promise<Page> {
  const page = watchPage(await (await browser.newContext()).newPage());
  await signIn(page);
  return page;
}

async function asSupport(browser: Browser, admin: Page): Promise<{ page: Page; email: string }> {
  const support = await createAccountThroughConsole(admin, browser, "SUPPORT");
  const page = watchPage(await (await browser.newContext()).newPage());
  await signIn(page, support.email, support.password);
  return { page, email: support.email };
}

/** A page signed in as `role`, and that account's email. */
async function signedInAs(role: "ADMIN" | "SUPPORT", browser: Browser): Promise<{ page: Page; email: string }> {
  const admin = await asAdmin(browser);
  return role === "ADMIN" ? { page: admin, email: ADMIN.email } : asSupport(browser, admin);
}

for (const role of ["SUPPORT", "ADMIN"] as const) {
  test(`${role === "SUPPORT" ? "support" : "an admin"} finds a user signed in on three devices, logs them out everywhere, and sees all three revoked with reason and actor`, async ({ browser }) => {
    const { page, email } = await signedInAs(role, browser);
    const userId = `jane-${role}-${Date.now()}`;
    for (const [index, userAgent] of DEVICES.entries()) {
      await client("all").createSession({ userId, userAgent, ip: `203.0.113.${index + 1}` });
    }

    await page.getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Email or user id").fill(userId);
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator(`tr[data-user-id="${userId}"]`).getByRole("link", { name: userId }).click();
    await expect(page.getByRole("heading", { name: userId })).toBeVisible();
    const rows = page.locator("tr[data-session-id]");
    await expect(rows).toHaveCount(3);
    await expect(rows.getByTestId("session-status")).toHaveText(["active", "active", "active"]);

    await page.getByRole("button", { name: "Log out everywhere" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("3 live sessions end");
    await dialog.getByLabel("Reason or ticket").fill("ticket 4711: lost phone");
    await dialog.getByRole("button", { name: "Log out everywhere" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Logged out everywhere" })).toHaveText("Logged out everywhere: 3 sessions ended.");
    await expect(rows.getByTestId("session-status")).toHaveText(["revoked", "revoked", "revoked"]);
    for (const text of await rows.getByTestId("revoked-by").allTextContents()) expect(text).toBe(`log out everywhere by ${email}`);
    await expect(page.locator('[data-event-type="user.sessions_revoked"]')).toContainText("ticket 4711: lost phone");

    // The audit log finds the same actions by actor.
    await page.goto(`/audit?actor=${encodeURIComponent(email)}&type=session.revoked&userId=${userId}`);
    await expect(page.locator('[data-event-type="session.revoked"]')).toHaveCount(3);
  });
}

for (const role of ["ADMIN", "SUPPORT"] as const) {
  test(`sessions page as ${role}: filters in the URL, hidden columns, bulk revoke with a reason, CSV export`, async ({ browser }) => {
    const { page } = await signedInAs(role, browser);
    const tenantId = `acme-${role}-${Date.now()}`;
    const created = [];
    for (const [index, userAgent] of DEVICES.entries()) {
      created.push(await client("all").createSession({ userId: `bulk-${role}-${index}`, userAgent, tenantId, deviceLabel: index === 0 ? "<img src=x onerror=alert(1)>" : undefined }));
    }
    await page.goto("/sessions");
    await page.getByRole("textbox", { name: "Tenant" }).fill(tenantId);
    await page.getByRole("checkbox", { name: "active", exact: true }).check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(new RegExp(`status=active.*tenantId=${tenantId}|tenantId=${tenantId}.*status=active`));
    const rows = page.locator("tr[data-session-id]");
    await expect(rows).toHaveCount(3);
    // A stored label is text, never markup.
    await expect(page.getByText("<img src=x onerror=alert(1)>")).toBeVisible();

    // Columns hidden in the URL stay hidden on reload.
    await page.getByText("Columns").click();
    await page.getByRole("checkbox", { name: "IP", exact: true }).uncheck();
    await expect(page).toHaveURL(/hide=ip/);
    await page.reload();
    await expect(page.getByRole("columnheader", { name: "IP" })).toHaveCount(0);

    // Bulk revoke: the dialog shows the count and needs a reason.
    await rows.nth(0).getByRole("checkbox").check();
    await rows.nth(1).getByRole("checkbox").check();
    await page.getByRole("button", { name: "Revoke selected (2)" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Revoke 2 sessions?");
    await dialog.getByLabel("Reason code").selectOption("REVOKED");
    await dialog.getByRole("textbox", { name: "Reason or ticket" }).fill("suspicious logins");
    await dialog.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Revoked 2 sessions." })).toBeVisible();
    await page.goto(`/sessions?tenantId=${tenantId}&status=revoked`);
    await expect(page.locator("tr[data-session-id]")).toHaveCount(2);

    // The export streams the current filter as CSV.
    const csv = await (await page.request.get(`/sessions/export?tenantId=${tenantId}`)).text();
    keepAnswer("/sessions/export", () => csv);
    const lines = csv.trim().split("\n");
    expect(lines[0]).toMatch(/^id,appId,userId,kind,status,/);
    expect(lines).toHaveLength(4);
    for (const { session } of created) expect(csv).toContain(session.id);
    expect(csv).not.toContain("lks_");
    // Bad filters are a message, not an error page.
    await page.goto("/sessions?createdFrom=not-a-date");
    await expect(page.getByRole("alert").filter({ hasText: "These filters are not valid" })).toBeVisible();
  });
}

test("session detail: every field, the rotation chain, relabel, revoke with a reason; only admins switch tenants", async ({ browser }) => {
  const admin = await asAdmin(browser);
  const first = await client("all").createSession({ userId: `detail-${Date.now()}`, tenantId: "t-one", userAgent: DEVICES[2] });
  const second = await client("all").refreshSession(first.token, { rotate: true });
  const { page: support } = await asSupport(browser, admin);

  await support.goto(`/sessions/${second.session.id}`);
  await expect(support.locator('[data-field="Tenant"]')).toHaveText("t-one");
  await expect(support.getByRole("list", { name: "Rotation chain" }).getByRole("listitem")).toHaveCount(2);
  await expect(support.getByRole("form", { name: "Switch tenant" })).toHaveCount(0);
  await support.getByRole("form", { name: "Rename the device" }).getByLabel("Label").fill("Front desk PC");
  await support.getByRole("button", { name: "Rename" }).click();
  await expect(support.locator('[data-field="Device"]')).toHaveText("Front desk PC");

  await admin.goto(`/sessions/${second.session.id}`);
  const tenant = admin.getByRole("form", { name: "Switch tenant" });
  await tenant.getByLabel("Tenant id").fill("t-two");
  const switchTenant = await recordAction(admin, () => tenant.getByRole("button", { name: "Switch tenant" }).click());
  await expect(admin.locator('[data-field="Tenant"]')).toHaveText("t-two");
  // SUPPORT sending the admin's tenant switch by hand is refused.
  const before = rowCounts();
  expect((await replayAction(support, switchTenant)).text).toContain("Your role does not allow this action.");
  expect(rowCounts()).toEqual(before);

  const revoke = support.getByRole("form", { name: "Revoke this session" });
  await support.reload();
  await revoke.getByLabel("Reason or ticket").fill("ticket 99");
  await revoke.getByRole("button", { name: "Revoke session" }).click();
  await expect(support.locator('[data-field="Status"]')).toHaveText("revoked");
  await expect(support.locator('[data-field="Revoked"]')).toContainText("(revoked, ticket 99)");
  await expect(support.locator('[data-event-type="session.revoked"]')).toContainText("ticket 99");
  // An ended session offers nothing to revoke or rename.
  await expect(support.getByRole("form", { name: "Revoke this session" })).toHaveCount(0);
  await expect(support.getByRole("form", { name: "Rename the device" })).toHaveCount(0);
  await expect(support.getByTestId("session-ended")).toBeVisible();
  await expect(support.locator('[data-event-type="session.tenant_changed"]')).toBeVisible();
  // The session it replaced reads as replaced, not revoked.
  await support.goto(`/sessions/${first.session.id}`);
  await expect(support.locator('[data-field="Status"]')).toHaveText("replaced by a newer token");
  await expect(support.locator('[data-event-type="session.rotated"]')).toContainText("with a newer token");
});

test("sweep: SUPPORT is refused in the UI and when calling the action; ADMIN previews and runs it with progress", async ({ browser }) => {
  test.setTimeout(60_000);
  const admin = await asAdmin(browser);
  const { page: support } = await asSupport(browser, admin);
  const userId = `sweepable-${Date.now()}`;
  for (let i = 0; i < 3; i++) await client("all").createSession({ userId, idleTimeoutSeconds: 1, absoluteTimeoutSeconds: 1 });
  await admin.waitForTimeout(3500); // one second to expire, two of retention (the e2e server's LATCHKEY_RETENTION)

  await support.goto("/sweep");
  await expect(support).toHaveURL(/\/forbidden$/);
  await expect(support.getByRole("link", { name: "Sweep" })).toHaveCount(0);

  await admin.getByRole("link", { name: "Sweep" }).click();
  const sweepable = Number((await admin.getByTestId("sweepable-total").textContent())?.replaceAll(",", ""));
  expect(sweepable).toBeGreaterThanOrEqual(3);
  // The run asks first, with the count.
  await admin.getByRole("button", { name: "Run sweep now" }).click();
  const confirm = admin.getByRole("dialog");
  await expect(confirm).toContainText(`Delete ${sweepable.toLocaleString("en-US")}`);
  const run = await recordAction(admin, () => confirm.getByRole("button", { name: "Delete them" }).click());
  await expect(admin.getByTestId("job-progress")).toContainText("Sweep finished:", { timeout: 10_000 });
  await expect(admin.locator('[data-event-type="sessions.swept"]').first()).toBeVisible();
  expect((await client("all").listSessions({ user: userId })).items).toHaveLength(0);

  const before = rowCounts();
  expect((await replayAction(support, run)).text).toContain("Your role does not allow this action.");
  expect(rowCounts()).toEqual(before);
});

for (const role of ["ADMIN", "SUPPORT"] as const) {
  test(`overview as ${role}: counts, charts and recent actions`, async ({ browser }) => {
    const { page } = await signedInAs(role, browser);
    await client("all").createSession({ userId: `overview-${Date.now()}`, userAgent: DEVICES[0] });
    await page.reload();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    expect(Number((await page.getByTestId("stat-active").textContent())?.replace(/,/g, ""))).toBeGreaterThan(0);
    // A few sessions cost nothing to count: the figures are computed for this view.
    await expect(page.getByTestId("figures-as-of")).toHaveText("Figures are live.");
    await expect(page.getByRole("img", { name: /Sessions created per hour/ })).toBeVisible();
    await expect(page.getByRole("img", { name: /Sessions created per day/ })).toBeVisible();
    await expect(page.getByText("Top browsers (live sessions)")).toBeVisible();

    // "Revoked in the last 24 h" leads to exactly those sessions: a rotation is not among them.
    const rotated = await client("all").createSession({ userId: `overview-rotated-${Date.now()}` });
    await client("all").refreshSession(rotated.token, { rotate: true });
    const ended = await client("all").createSession({ userId: `overview-revoked-${Date.now()}` });
    await client("all").revokeSession(ended.session.id, { note: "overview card" });
    await page.reload();
    const revoked = Number((await page.getByTestId("stat-revoked in the last 24 h").textContent())?.replace(/,/g, ""));
    expect(revoked).toBeGreaterThan(0);
    await page.getByTestId("stat-revoked in the last 24 h").click();
    await expect(page.getByTestId("match-count")).toHaveText(`${revoked.toLocaleString("en-US")} ${revoked === 1 ? "session matches" : "sessions match"}.`);
    await expect(page.locator(`tr[data-session-id="${rotated.session.id}"]`)).toHaveCount(0);
  });
}

test("a user agent with line breaks, control characters and markup is answered as JSON and shown as plain text", async ({ browser }) => {
  const agent = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0)\r\nX-Injected: yes\n\u0000\u0007\u001b[31m <img src=x onerror=window.__injected=1> Gecko/20100101 Firefox/125.0";
  const kept = agent.replace(/\p{Cc}/gu, "\uFFFD");
  const { session } = await client("all").createSession({ userId: `agent-${Date.now()}`, userAgent: agent });
  expect(session).toMatchObject({ userAgent: kept, browser: "Firefox" });
  const raw = await fetch(`${BASE_URL}/api/v1/sessions/${session.id}`, { headers: { authorization: `Bearer ${apiKeys().all}` } });
  expect(raw.headers.get("content-type")).toContain("application/json");
  expect((JSON.parse(await raw.text()) as { session: { userAgent: string } }).session.userAgent).toBe(kept);

  const page = await asAdmin(browser);
  await page.goto(`/sessions/${session.id}`);
  const shown = page.locator('[data-field="User agent"]');
  await expect(shown).toHaveText(kept);
  await expect(shown.locator("img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
});

test("no page or action answer in this file held a stored hash of a session, OAuth state, API key or password", async () => {
  const { answers, leaks } = await checkAnswers();
  expect(answers.filter((answer) => answer.body.includes("<html")).length).toBeGreaterThan(10);
  expect(leaks).toEqual([]);
  // The scan finds each kind of stored hash where one is, as a page would carry it.
  const hashes = storedHashes();
  const sample = new Map([...hashes].map(([hash, kind]) => [kind, hash]));
  expect([...sample.keys()]).toEqual(expect.arrayContaining(["Session.secretHash", "ApiKey.secretHash", "User.passwordHash"]));
  const planted = [...sample.values()].map((hash, index) => ({ url: `planted-${index}`, body: `<html><script>self.__next_f.push([1,"{\\"secretHash\\":\\"${hash}\\"}"])</script></html>` }));
  expect(answersWithStoredHashes(planted, hashes)).toHaveLength(sample.size);
});
