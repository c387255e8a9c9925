import Database from "better-sqlite3";
import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { createLatchkeyClient, type LatchkeyClient } from "@latchkey/client";
import { BASE_URL, DATABASE_FILE, keyOf, operatorClient, signedInSupport, signIn } from "./fixtures";

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36";
/** "30 Nov 2026 14:02:05 UTC": the console's one time format, with seconds. */
const TIME = String.raw`\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d UTC`;

async function supportPage(browser: Browser): Promise<Page> {
  return (await signedInSupport(browser)).page;
}

/** A web shop that uses its customers' emails as user ids, with its own key; rotated tokens get no grace. */
async function shop(): Promise<{ appId: string; api: LatchkeyClient }> {
  const operator = await operatorClient();
  const { application } = await operator.createApplication({ name: `shop-${Date.now()}`, policy: { rotationGraceSeconds: 0 } });
  return { appId: application.id, api: createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(application.id) }) };
}

/** Sessions of a user, read directly from the database. */
function storedSessions(appId: string, userId: string): { revokedReason: string | null; revokeNote: string | null; revokedBy: string | null }[] {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(`SELECT "revokedReason", "revokeNote", "revokedBy" FROM "Session" WHERE "appId" = ? AND "userId" = ? ORDER BY "createdAt"`)
      .all(appId, userId) as { revokedReason: string | null; revokeNote: string | null; revokedBy: string | null }[];
  } finally {
    db.close();
  }
}

/** Diagnoses a user by what support typed, in one application, through the debugger's form. */
async function diagnoseUser(page: Page, appId: string, typed: string): Promise<Locator> {
  await page.goto("/debug");
  const form = page.getByRole("form", { name: "Diagnose a session or user" });
  await form.getByLabel("Application").selectOption(appId);
  await form.getByLabel("User (email or id)").fill(typed);
  await form.getByRole("button", { name: "Diagnose" }).click();
  await expect(page).toHaveURL(/user=/);
  return page.getByRole("article", { name: "Diagnosis" });
}

test("three tickets as support: Jane logged out by an operator, Bob's stolen token, Carol's idle expiry; then Bob is logged out everywhere", async ({ browser }) => {
  test.setTimeout(90_000);
  const { appId, api } = await shop();
  const page = await supportPage(browser);
  const jane = "jane@shop.example";
  const bob = "bob@shop.example";
  const carol = "carol@shop.example";

  // Jane: two devices; an operator logs her out everywhere (ticket 4711); her app keeps sending the dead token.
  const janePhone = await api.createSession({ userId: jane, userAgent: IPHONE, ip: "::ffff:192.0.2.10" });
  await api.createSession({ userId: jane, userAgent: MAC, ip: "192.0.2.11" });
  await (await operatorClient(appId)).revokeUserSessions(jane, { note: "ticket 4711" });
  expect(await api.resolveSession(janePhone.token, { ip: "192.0.2.10", userAgent: IPHONE })).toMatchObject({ authenticated: false, revokedReason: "LOGGED_OUT_EVERYWHERE" });

  // Bob: his phone's token is rotated, then the replaced one comes back from another address and agent.
  const bobPhone = await api.createSession({ userId: bob, userAgent: IPHONE, ip: "203.0.113.9" });
  await api.createSession({ userId: bob, userAgent: MAC, ip: "203.0.113.10" });
  await api.refreshSession(bobPhone.token, { rotate: true, ip: "203.0.113.9", userAgent: IPHONE });
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  expect(await api.resolveSession(bobPhone.token, { ip: "198.51.100.77", userAgent: "python-requests/2.31.0" })).toMatchObject({
    authenticated: false,
    reason: "REUSE_DETECTED",
  });

  // Carol: her phone's session idles out after lunch (2 s here); her laptop stays signed in.
  const carolPhone = await api.createSession({ userId: carol, userAgent: IPHONE, ip: "198.51.100.5", idleTimeoutSeconds: 2 });
  await api.createSession({ userId: carol, userAgent: MAC, ip: "198.51.100.6" });
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(await api.resolveSession(carolPhone.token)).toMatchObject({ authenticated: false, reason: "IDLE_EXPIRED" });

  // Jane's ticket: the headline says who ended her sessions and why; the next line what to tell her.
  let diagnosis = await diagnoseUser(page, appId, jane);
  await expect(diagnosis.getByTestId("verdict")).toHaveText("ALL_SESSIONS_ENDED");
  await expect(diagnosis.getByTestId("diagnosis-summary")).toHaveText(
    new RegExp(`^Every request since ${TIME} is refused: all 2 sessions were revoked by admin@e2e\\.test \\(log out everywhere, ticket 4711\\)\\.$`),
  );
  // Refused requests are written in batches, about a second after they happen.
  await expect(async () => {
    await page.reload();
    await expect(diagnosis.getByTestId("diagnosis-meaning")).toHaveText(
      new RegExp(
        `^jane@shop\\.example is not disabled: a new sign-in works\\. The application still sends an ended token: 1 request was refused since, the last at ${TIME}; it should send jane@shop\\.example to sign in\\.$`,
      ),
      { timeout: 1_000 },
    );
  }).toPass({ timeout: 10_000 });
  await expect(diagnosis.getByRole("region", { name: "Refused requests" })).toContainText("192.0.2.10");

  // Bob's ticket: part of his email finds him; the theft leads the verdict though his laptop is signed in.
  diagnosis = await diagnoseUser(page, appId, "bob");
  await expect(async () => {
    await page.reload();
    await expect(diagnosis.getByTestId("diagnosis-summary")).toContainText("from 198.51.100.77 with python-requests/2.31.0", { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await expect(diagnosis.getByTestId("verdict")).toHaveText("REUSE_DETECTED");
  await expect(diagnosis.getByTestId("diagnosis-summary")).toHaveText(
    new RegExp(
      `^A replaced token was presented again at ${TIME} from 198\\.51\\.100\\.77 with python-requests/2\\.31\\.0, [2-9] seconds after it was replaced by a newer one; ` +
        `its owner signed in from 203\\.0\\.113\\.9 with Mobile Safari on iOS\\. That looked like theft, so every session of that sign-in was revoked\\. ` +
        `One other session is active, last seen ${TIME}\\.`,
    ),
  );
  await expect(diagnosis.getByTestId("diagnosis-meaning")).toContainText("bob@shop.example is not disabled and a new sign-in works, but their token was copied");
  // The phone session the rotation replaced reads as replaced, not as an incident.
  await expect(diagnosis.getByRole("region", { name: "Sessions" }).getByTestId("session-status")).toHaveText(["revoked", "active", "replaced"]);

  // Carol's ticket: the idle expiry leads, though her laptop is signed in.
  diagnosis = await diagnoseUser(page, appId, "carol@shop");
  await expect(diagnosis.getByTestId("verdict")).toHaveText("IDLE_EXPIRED");
  await expect(diagnosis.getByTestId("diagnosis-summary")).toHaveText(
    new RegExp(`^The session on Mobile Safari on iOS idle-expired at ${TIME}: last seen ${TIME}, idle timeout 2 seconds\\. One other session is active, last seen ${TIME}\\.$`),
  );
  // The refused request shows once the refusal log's batch is written.
  await expect(async () => {
    await page.reload();
    await expect(diagnosis.getByTestId("diagnosis-meaning")).toHaveText(
      new RegExp(
        "^carol@shop\\.example is not disabled: sessions end after 2 seconds without activity, and signing in again is all it takes\\. " +
          `The application still sends an ended token: 1 request was refused since, the last at ${TIME}; it should send carol@shop\\.example to sign in\\.$`,
      ),
      { timeout: 1_000 },
    );
  }).toPass({ timeout: 10_000 });

  // A part that several customers share offers the choice.
  diagnosis = await diagnoseUser(page, appId, "@shop.example");
  await expect(diagnosis.getByTestId("verdict")).toHaveText("SEVERAL_USERS");
  await expect(diagnosis.getByRole("region", { name: "Choose a user" }).getByRole("link")).toHaveCount(3);
  await diagnosis.getByRole("region", { name: "Choose a user" }).getByRole("link", { name: /^bob@shop\.example/ }).click();
  await expect(diagnosis.getByTestId("verdict")).toHaveText("REUSE_DETECTED");

  // From the verdict to Bob's page, and log him out everywhere with the ticket.
  await diagnosis.getByRole("link", { name: "Open user bob@shop.example" }).click();
  await expect(page.getByRole("heading", { name: bob })).toBeVisible();
  await page.getByRole("button", { name: "Log out everywhere" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("1 live session ends");
  await dialog.getByLabel("Reason or ticket").fill("ticket 4712");
  await dialog.getByRole("button", { name: "Log out everywhere" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Logged out everywhere" })).toHaveText("Logged out everywhere: 1 session ended.");
  await expect(page.locator('[data-event-type="user.sessions_revoked"]')).toContainText("logged bob@shop.example out everywhere (log out everywhere, ticket 4712): 1 session ended");
  const ended = storedSessions(appId, bob).filter((session) => session.revokedReason === "LOGGED_OUT_EVERYWHERE");
  expect(ended).toEqual([{ revokedReason: "LOGGED_OUT_EVERYWHERE", revokeNote: "ticket 4712", revokedBy: expect.stringMatching(/^user:person.*@e2e\.test$/) }]);
});

/** Every console link on `page` to a user, session or diagnosis answers 200. */
async function everyLinkResolves(page: Page): Promise<number> {
  const hrefs = await page.locator('main a[href^="/users/"], main a[href^="/sessions/"], main a[href^="/debug?"]').evaluateAll((links) => links.map((link) => link.getAttribute("href")!));
  for (const href of new Set(hrefs)) {
    const response = await page.request.get(href);
    expect(response.status(), href).toBe(200);
  }
  return hrefs.length;
}

test("ids are ids: users with @, +, /, %, spaces, Cyrillic and 200 characters have pages, and every link to them resolves; unknown ids are 404", async ({ browser }) => {
  test.setTimeout(120_000);
  const { appId, api } = await shop();
  const page = await supportPage(browser);
  const ids = ["ann@shop.example", "a+tag@shop.example", "team/alice", "100%real", "50%25off", "first last", "Иван Петров", `${"long".repeat(49)}-end`];
  expect(ids.at(-1)).toHaveLength(200);

  for (const id of ids) {
    const { session } = await api.createSession({ userId: id, userAgent: MAC });
    // The API's own paths carry the same ids.
    expect((await api.listUserSessions(id)).items.map((item) => item.id), id).toEqual([session.id]);

    // The users search finds the id and links to its page.
    await page.goto(`/users?app=${encodeURIComponent(appId)}&q=${encodeURIComponent(id)}`);
    const row = page.locator("tr[data-user-id]").filter({ has: page.getByRole("link", { name: id, exact: true }) });
    await expect(row, id).toHaveCount(1);
    await everyLinkResolves(page);
    await row.getByRole("link", { name: id, exact: true }).click();
    await expect(page.getByRole("heading", { name: id, exact: true })).toBeVisible();
    await expect(page.locator(`tr[data-session-id="${session.id}"]`)).toHaveCount(1);
    await everyLinkResolves(page);

    // The session page and the way back to the user.
    await page.locator(`tr[data-session-id="${session.id}"] a[href="/sessions/${session.id}"]`).click();
    await expect(page).toHaveURL(new RegExp(`/sessions/${session.id}$`));
    expect(await everyLinkResolves(page)).toBeGreaterThan(0);
    await page.locator(`main a[href^="/users/"]`).first().click();
    await expect(page.getByRole("heading", { name: id, exact: true })).toBeVisible();

    // The debugger's verdict for the id, from the users table's link.
    await page.goto(`/users?app=${encodeURIComponent(appId)}&q=${encodeURIComponent(id)}`);
    await row.getByRole("link", { name: "Why can't they sign in?" }).click();
    const diagnosis = page.getByRole("article", { name: "Diagnosis" });
    await expect(diagnosis.getByTestId("verdict"), id).toHaveText("ACTIVE");
    await expect(diagnosis.getByTestId("diagnosis-summary")).toContainText(`${id} has 1 active session`);
    await everyLinkResolves(page);
  }

  // What does not exist is a real 404.
  const encodedApp = encodeURIComponent(appId);
  for (const path of [
    `/users/${encodedApp}/${encodeURIComponent("nobody@shop.example")}`,
    `/users/${encodedApp}/${encodeURIComponent("team/nobody")}`,
    `/users/no-such-app/${encodeURIComponent("ann@shop.example")}`,
    `/sessions/AAAAAAAAAAAAAAAAAAAAAA`,
    `/sessions/${encodeURIComponent("not a session")}`,
  ]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(404);
    expect(await response.text()).not.toContain("at async");
  }
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  expect((await admin.request.get("/applications/no-such-app")).status()).toBe(404);
  expect((await admin.request.get(`/applications/${encodedApp}`)).status()).toBe(200);
  // A path that is not even valid percent-encoding is refused as a bad request.
  expect((await page.request.get(`/users/${encodedApp}/%E0%A4%A`)).status()).toBe(400);
  await page.goto(`/users/${encodedApp}/${encodeURIComponent("nobody@shop.example")}`);
  await expect(page.getByTestId("not-found")).toBeVisible();
});

test("keyboard only: support finds a user in the users search and logs them out everywhere in under 25 key presses", async ({ browser }) => {
  const page = await supportPage(browser);
  const short = `zq${Date.now().toString(36).slice(-5)}`;
  const userId = `${short}@shop.example`;
  const api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf("default", `kbd-${short}`) });
  await api.createSession({ userId, userAgent: IPHONE });
  await api.createSession({ userId, userAgent: MAC });

  let presses = 0;
  const press = async (key: string) => {
    presses += 1;
    await page.keyboard.press(key);
  };
  const type = async (text: string) => {
    presses += [...text].length;
    await page.keyboard.type(text);
  };
  const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim().slice(0, 40) ?? ""}`);

  await page.goto("/users");
  await press("Tab");
  await expect(page.getByRole("link", { name: "Skip to the main content" })).toBeFocused();
  await press("Enter");
  await press("Tab");
  await expect(page.getByLabel("Email or user id")).toBeFocused();
  await type(short);
  await press("Enter");
  // Focus lands on what the search found.
  await expect(page.getByTestId("match-count")).toBeFocused();
  await expect(page.getByTestId("match-count")).toHaveText(`1 user matching “${short}”.`);
  await press("Tab");
  await expect(page.getByRole("link", { name: userId })).toBeFocused();
  await press("Enter");
  await expect(page.getByRole("heading", { name: userId })).toBeVisible();
  // On the user's page, the skip link again, then the way to "Log out everywhere".
  const logout = page.getByRole("button", { name: "Log out everywhere" });
  for (let i = 0; i < 8 && !(await logout.evaluate((button) => button === document.activeElement)); i++) await press("Tab");
  await expect(logout, await focused()).toBeFocused();
  await press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByLabel("Reason or ticket")).toBeFocused();
  await type("4711");
  await press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Logged out everywhere" })).toHaveText("Logged out everywhere: 2 sessions ended.");
  expect(storedSessions("default", userId).map((session) => [session.revokedReason, session.revokeNote])).toEqual([
    ["LOGGED_OUT_EVERYWHERE", "4711"],
    ["LOGGED_OUT_EVERYWHERE", "4711"],
  ]);
  console.info(`keyboard: log out everywhere from the users search took ${presses} key presses`);
  expect(presses).toBeLessThan(25);
});
