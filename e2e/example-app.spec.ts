import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { createLatchkeyClient, type LatchkeyClient } from "@latchkey/client";
import { BASE_URL, keyOf, operatorClient, signedInSupport } from "./fixtures";
import { EXAMPLE_DIR, signInToExample, startExampleApp, type ExampleApp } from "./example-app";

// The whole support story against a real application: examples/next-app signs people in with
// next-auth and keeps their sessions in Latchkey (@latchkey/authjs-adapter); support ends them
// from Latchkey's console, and the person ends their other devices from the app.

const MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const TIME = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC";

let example: ExampleApp;
let appId = "";
let api: LatchkeyClient;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const { application } = await (await operatorClient()).createApplication({ name: `example-app-${Date.now()}` });
  appId = application.id;
  const key = keyOf(appId);
  api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: key });
  example = await startExampleApp(3200, key);
});

test.afterAll(async () => {
  await example?.stop();
});

/** The example app's id for a person, from its own database. */
function userIdOf(email: string): string {
  const db = new Database(example.databaseFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT id FROM "User" WHERE email = ?`).get(email) as { id: string }).id;
  } finally {
    db.close();
  }
}

async function device(browser: Browser, userAgent: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ userAgent });
  return { context, page: await context.newPage() };
}

const deviceRows = (page: Page) => page.getByRole("table", { name: "Devices" }).locator("tbody tr");

test("support logs a person out everywhere from the console and both of their browsers are sent to sign in with who, when and why; then their own 'sign out all others' ends the other device, as the console shows", async ({ browser }) => {
  test.setTimeout(180_000);
  const email = `ada-${Date.now()}@example.test`;
  const laptop = await device(browser, MAC);
  const phone = await device(browser, IPHONE);
  await signInToExample(laptop.page, example, email);
  await signInToExample(phone.page, example, email);
  const userId = userIdOf(email);

  // Both devices, seen from the laptop: this one marked.
  await laptop.page.reload();
  await expect(deviceRows(laptop.page)).toHaveCount(2);
  await expect(deviceRows(laptop.page).filter({ hasText: "This device" })).toContainText("Chrome on Mac OS");
  await expect(deviceRows(laptop.page).filter({ hasNotText: "This device" })).toContainText("Mobile Safari on iOS");

  // Support, in Latchkey's console, finds the person by email and logs them out everywhere with the ticket.
  const support = await signedInSupport(browser);
  const console = support.page;
  // The app told Latchkey the person's email at sign-in: support searches by it.
  await console.goto(`/users?app=${encodeURIComponent(appId)}&q=${encodeURIComponent(email)}`);
  await expect(console.locator("tr[data-user-id]")).toContainText(email);
  await console.getByRole("link", { name: userId, exact: true }).click();
  await expect(console.getByRole("heading", { name: email, exact: true })).toBeVisible();
  await console.getByRole("button", { name: "Log out everywhere" }).click();
  const dialog = console.getByRole("dialog");
  await expect(dialog).toContainText("2 live sessions end");
  await dialog.getByLabel("Reason or ticket").fill("ticket 4711");
  await dialog.getByRole("button", { name: "Log out everywhere" }).click();
  await expect(console.getByRole("status").filter({ hasText: "Logged out everywhere" })).toHaveText("Logged out everywhere: 2 sessions ended.");

  // Both browsers, on their next request, are at sign-in with who, when and why.
  const why = new RegExp(`^You were signed out by ${support.email.replace(/[.+]/g, "\\$&")} at ${TIME}: ticket 4711\\.$`);
  for (const { page } of [laptop, phone]) {
    await page.goto(`${example.url}/devices`);
    await expect(page).toHaveURL(`${example.url}/signin`);
    await expect(page.locator("main").getByRole("alert")).toHaveText(why);
  }

  // Signed in again on both; from the laptop, the person signs out all other devices.
  await signInToExample(laptop.page, example, email);
  await signInToExample(phone.page, example, email);
  await laptop.page.reload();
  await expect(deviceRows(laptop.page)).toHaveCount(2);
  const laptopSession = (await deviceRows(laptop.page).filter({ hasText: "This device" }).getAttribute("data-session-id"))!;
  const phoneSession = (await deviceRows(laptop.page).filter({ hasNotText: "This device" }).getAttribute("data-session-id"))!;
  await laptop.page.getByRole("button", { name: "Sign out all other devices (1)" }).click();
  await expect(deviceRows(laptop.page)).toHaveCount(1);
  await expect(deviceRows(laptop.page)).toContainText("This device");

  await phone.page.goto(`${example.url}/devices`);
  await expect(phone.page).toHaveURL(`${example.url}/signin`);
  await expect(phone.page.locator("main").getByRole("alert")).toHaveText(new RegExp(`^You were signed out by the application at ${TIME}: from another of your devices\\.$`));

  // The console shows it: the laptop's session live, the phone's ended by the application.
  await console.reload();
  await expect(console.locator(`tr[data-session-id="${laptopSession}"]`).getByTestId("session-status")).toHaveText("active");
  await expect(console.locator(`tr[data-session-id="${phoneSession}"]`).getByTestId("session-status")).toHaveText("revoked");
  const { session: ended } = await api.getSession(phoneSession);
  expect(ended).toMatchObject({ revokedReason: "REVOKED", revokeNote: "from another of your devices", revokedBy: expect.stringMatching(/^api_key:/) });

  for (const context of [laptop.context, phone.context, console.context()]) await context.close();
});

test("the devices page renames a device and signs out one other device; a session that is not the person's own is refused", async ({ browser }) => {
  const email = `bob-${Date.now()}@example.test`;
  const laptop = await device(browser, MAC);
  const phone = await device(browser, IPHONE);
  await signInToExample(laptop.page, example, email);
  await signInToExample(phone.page, example, email);
  await laptop.page.reload();

  const own = deviceRows(laptop.page).filter({ hasText: "This device" });
  await own.getByLabel("Device name").fill("Work laptop");
  await own.getByRole("button", { name: "Rename" }).click();
  await expect(deviceRows(laptop.page).filter({ hasText: "This device" })).toContainText("Work laptop");
  const [renamed] = (await api.listUserSessions(userIdOf(email))).items.filter((session) => session.deviceLabel === "Work laptop");
  expect(renamed).toBeDefined();

  // Someone else's session id, put into the form: refused, and that session lives on.
  const stranger = await api.createSession({ userId: "someone-else", userAgent: MAC });
  const other = deviceRows(laptop.page).filter({ hasNotText: "This device" });
  const signOutForm = other.locator("form").filter({ has: laptop.page.getByRole("button", { name: /^Sign out / }) });
  await signOutForm.locator('input[name="sessionId"]').evaluate((input, id) => ((input as HTMLInputElement).value = id), stranger.session.id);
  await signOutForm.getByRole("button").click();
  await expect(signOutForm.getByRole("alert")).toHaveText("That device is not one of yours.");
  expect((await api.resolveSession(stranger.token)).authenticated).toBe(true);

  // The phone, signed out from the laptop.
  await laptop.page.reload();
  await deviceRows(laptop.page).filter({ hasNotText: "This device" }).getByRole("button", { name: /^Sign out / }).click();
  await expect(deviceRows(laptop.page)).toHaveCount(1);
  await phone.page.goto(`${example.url}/devices`);
  await expect(phone.page.locator("main").getByRole("alert")).toHaveText(new RegExp(`^You were signed out by the application at ${TIME}: from another of your devices\\.$`));

  // Signing out in the app ends the session in Latchkey.
  await laptop.page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(laptop.page).toHaveURL(`${example.url}/signin`);
  expect((await api.listUserSessions(userIdOf(email))).items).toHaveLength(0);
  for (const context of [laptop.context, phone.context]) await context.close();
});

test("with Latchkey out of reach, a signed-in person is not signed out: the app says it cannot check, and the session goes on once Latchkey answers", async ({ browser }) => {
  const email = `cleo-${Date.now()}@example.test`;
  const { context, page } = await device(browser, MAC);
  await signInToExample(page, example, email);
  // The same app, its Latchkey out of reach (cookies of localhost go to every port).
  const cut = await startExampleApp(3201, "lka_unused", "http://127.0.0.1:9");
  try {
    await page.goto(`${cut.url}/devices`);
    await expect(page.locator("main").getByRole("alert")).toHaveText("Your sign-in could not be checked just now. If you were signed in, you still are: try again shortly.");
    await expect(page.getByRole("button", { name: "Email me a sign-in link" })).toHaveCount(0);
  } finally {
    await cut.stop();
  }
  await page.goto(`${example.url}/devices`);
  await expect(deviceRows(page)).toHaveCount(1);
  await context.close();
});

test("on a fresh checkout the example's database is made by its own scripts, with no DATABASE_URL set", () => {
  const folder = path.join(EXAMPLE_DIR, "data");
  const existed = existsSync(path.join(folder, "app.db"));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  try {
    execFileSync("npm", ["run", "db:push"], { cwd: EXAMPLE_DIR, env, stdio: "pipe" });
    expect(existsSync(path.join(folder, "app.db"))).toBe(true);
  } finally {
    if (!existed) rmSync(folder, { recursive: true, force: true });
  }
});
