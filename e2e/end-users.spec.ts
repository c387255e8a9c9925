import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, BASE_URL, createAccountThroughConsole, recordAction, replayAction, rowCounts, signIn, startServer, type RecordedAction } from "./fixtures";

const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0";
const SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

async function adminPage(browser: import("@playwright/test").Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  return page;
}

test("a USER on two devices sees both, renames one, signs the other out, which is then sent to sign in", async ({ browser }) => {
  const admin = await adminPage(browser);
  const user = await createAccountThroughConsole(admin, browser, "USER");

  const laptop = await (await browser.newContext({ userAgent: FIREFOX_WINDOWS })).newPage();
  await signIn(laptop, user.email, user.password, /\/devices$/);
  const phone = await (await browser.newContext({ userAgent: SAFARI_IPHONE })).newPage();
  await signIn(phone, user.email, user.password, /\/devices$/);

  await laptop.reload();
  const devices = laptop.locator("li[data-device-id]");
  await expect(devices).toHaveCount(2);
  const here = devices.filter({ hasText: "this device" });
  await expect(here).toHaveCount(1);
  await expect(here.getByTestId("device-name")).toHaveText("Firefox on Windows");
  const other = devices.filter({ hasNotText: "this device" });
  await expect(other.getByTestId("device-name")).toHaveText("Mobile Safari on iOS");
  await expect(other.getByRole("img", { name: "Phone" })).toBeVisible();

  // Stored labels are rendered as text, never as markup.
  await other.getByRole("textbox").fill("<b>Old</b> phone");
  await other.getByRole("button", { name: "Rename" }).click();
  await expect(other.getByTestId("device-name")).toHaveText("<b>Old</b> phone");

  await other.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(laptop.locator("li[data-device-id]")).toHaveCount(1);

  await phone.goto("/devices");
  await expect(phone).toHaveURL(/\/login$/);
  await laptop.goto("/devices");
  await expect(laptop).toHaveURL(/\/devices$/);
});

test("a USER cannot reach operator pages; operator actions and actions on other people's devices sent by hand are refused", async ({ browser }) => {
  const admin = await adminPage(browser);
  const user = await createAccountThroughConsole(admin, browser, "USER");
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user.email, user.password, /\/devices$/);

  for (const path of ["/sessions", "/accounts", "/api-keys", "/api-docs"]) {
    await page.goto(path);
    await expect(page, path).toHaveURL(/\/forbidden$/);
  }

  // The admin creates a key through the form (the action works); the USER sends the very same request.
  await admin.goto("/api-keys");
  await admin.getByLabel("Name", { exact: true }).fill("replayed");
  await admin.getByRole("checkbox", { name: /sessions:admin/ }).check();
  const createKey = await recordAction(admin, () => admin.getByRole("button", { name: "Create key" }).click());
  await expect(admin.getByTestId("new-api-key")).toBeVisible();
  const before = rowCounts();
  const replay = await replayAction(page, createKey);
  expect(replay.status).toBe(200);
  expect(replay.text).toContain("Your role does not allow this action.");
  expect(rowCounts()).toEqual(before);

  // The USER renames their own device, then sends the same request naming the admin's session.
  await page.goto("/devices");
  const own = page.locator("li[data-device-id]", { hasText: "this device" });
  const ownId = (await own.getAttribute("data-device-id"))!;
  await own.getByRole("textbox").fill("Mine");
  const rename = await recordAction(page, () => own.getByRole("button", { name: "Rename" }).click());
  await expect(own.getByTestId("device-name")).toHaveText("Mine");
  await admin.goto("/devices");
  const adminDevice = admin.locator("li[data-device-id]", { hasText: "this device" });
  const adminSessionId = (await adminDevice.getAttribute("data-device-id"))!;
  const adminName = await adminDevice.getByTestId("device-name").textContent();
  const stolen = await replayAction(page, rename, [[ownId, adminSessionId]]);
  expect(stolen.text).toContain("No such session.");
  await admin.reload();
  await expect(adminDevice.getByTestId("device-name")).toHaveText(adminName!);

  // A cross-site post is refused before any action runs.
  const beforeCrossSite = rowCounts();
  const crossSite = await admin.request.fetch(createKey.url, {
    method: "POST",
    headers: { ...createKey.headers, origin: "http://evil.example" },
    data: createKey.body,
  });
  expect(crossSite.status()).toBe(403);
  expect(rowCounts()).toEqual(beforeCrossSite);
});

test("role matrix: ADMIN, SUPPORT and USER × every console page", async ({ browser }) => {
  // Two accounts made through the console, then every page or action under three roles: a long flow.
  test.setTimeout(90_000);
  const admin = await adminPage(browser);
  const support = await createAccountThroughConsole(admin, browser, "SUPPORT");
  const user = await createAccountThroughConsole(admin, browser, "USER");
  const matrix: Record<string, Record<"ADMIN" | "SUPPORT" | "USER", boolean>> = {
    "/overview": { ADMIN: true, SUPPORT: true, USER: false },
    "/sessions": { ADMIN: true, SUPPORT: true, USER: false },
    "/users": { ADMIN: true, SUPPORT: true, USER: false },
    "/audit": { ADMIN: true, SUPPORT: true, USER: false },
    "/debug": { ADMIN: true, SUPPORT: true, USER: false },
    "/sweep": { ADMIN: true, SUPPORT: false, USER: false },
    "/accounts": { ADMIN: true, SUPPORT: false, USER: false },
    "/api-keys": { ADMIN: true, SUPPORT: false, USER: false },
    "/api-docs": { ADMIN: true, SUPPORT: true, USER: false },
    "/devices": { ADMIN: true, SUPPORT: true, USER: true },
    "/profile": { ADMIN: true, SUPPORT: true, USER: true },
  };
  const people = { ADMIN: admin, SUPPORT: await (await browser.newContext()).newPage(), USER: await (await browser.newContext()).newPage() };
  await signIn(people.SUPPORT, support.email, support.password);
  await signIn(people.USER, user.email, user.password, /\/devices$/);
  for (const [path, allowed] of Object.entries(matrix)) {
    for (const role of ["ADMIN", "SUPPORT", "USER"] as const) {
      await people[role].goto(path);
      await expect(people[role], `${role} on ${path}`).toHaveURL(allowed[role] ? new RegExp(`${path}$`) : /\/forbidden$/);
    }
  }
});

test("role matrix: every ADMIN-only action, sent by SUPPORT and by USER, is refused and changes nothing", async ({ browser }) => {
  // Two accounts made through the console, then every page or action under three roles: a long flow.
  test.setTimeout(90_000);
  const admin = await adminPage(browser);
  const support = await createAccountThroughConsole(admin, browser, "SUPPORT");
  const user = await createAccountThroughConsole(admin, browser, "USER");
  const target = await createAccountThroughConsole(admin, browser, "USER");
  const spare = await createAccountThroughConsole(admin, browser, "USER");

  // Each action performed once by the admin through its form, and recorded.
  const recorded: Record<string, RecordedAction> = {};
  await admin.goto("/accounts");
  const create = admin.locator("form", { has: admin.getByRole("button", { name: "Create account" }) });
  await create.getByLabel("Email").fill(`recorded${Date.now()}@e2e.test`);
  recorded.createAccount = await recordAction(admin, () => create.getByRole("button", { name: "Create account" }).click());
  await expect(admin.getByTestId("one-time-password")).toBeVisible();
  const row = admin.locator(`tr[data-account="${target.email}"]`);
  await row.getByLabel(`Role of ${target.email}`).selectOption("SUPPORT");
  recorded.changeRole = await recordAction(admin, () => row.getByRole("button", { name: "Set role" }).click());
  await expect(row.getByRole("status")).toContainText("Role set to SUPPORT");
  const spareRow = admin.locator(`tr[data-account="${spare.email}"]`);
  recorded.disableAccount = await recordAction(admin, () => spareRow.getByRole("button", { name: `Disable ${spare.email}` }).click());
  await expect(spareRow.getByTestId("account-status")).toHaveText("disabled");
  recorded.enableAccount = await recordAction(admin, () => spareRow.getByRole("button", { name: `Enable ${spare.email}` }).click());
  await expect(spareRow.getByTestId("account-status")).toHaveText("active");
  recorded.resetPassword = await recordAction(admin, () => spareRow.getByRole("button", { name: `Reset the password of ${spare.email}` }).click());
  await expect(spareRow.getByTestId("reset-password")).toBeVisible();
  await admin.goto("/api-keys");
  const service = admin.getByRole("form", { name: "New service session" });
  await service.getByLabel("Client name").fill("recorded-client");
  await service.getByLabel(/Scopes/).fill("reports:read");
  recorded.createServiceSession = await recordAction(admin, () => service.getByRole("button", { name: "Start service session" }).click());
  await expect(admin.getByTestId("new-service-session")).toBeVisible();
  await admin.getByLabel("Name", { exact: true }).fill("recorded");
  await admin.getByRole("checkbox", { name: /sessions:read/ }).check();
  recorded.createApiKey = await recordAction(admin, () => admin.getByRole("button", { name: "Create key" }).click());
  await expect(admin.getByTestId("new-api-key")).toBeVisible();
  const keyRow = admin.locator('tr[data-api-key="recorded"]');
  admin.once("dialog", (dialog) => dialog.accept());
  recorded.revokeApiKey = await recordAction(admin, () => keyRow.getByRole("button", { name: "Revoke" }).click());
  await expect(keyRow.getByTestId("api-key-status")).toHaveText("revoked");

  for (const [role, person] of [["SUPPORT", support], ["USER", user]] as const) {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, person.email, person.password, role === "USER" ? /\/devices$/ : /\/overview$/);
    for (const [name, action] of Object.entries(recorded)) {
      const before = rowCounts();
      const result = await replayAction(page, action);
      expect(result.text, `${role} sending ${name}`).toContain("Your role does not allow this action.");
      expect(rowCounts(), `${role} sending ${name}`).toEqual(before);
    }
  }
  // The target keeps the role the admin gave it: SUPPORT can open the sessions page.
  const check = await (await browser.newContext()).newPage();
  await signIn(check, target.email, target.password);
});

test("a password change signs out the other sessions; a role change applies from the next request", async ({ browser }) => {
  test.setTimeout(60_000);
  const admin = await adminPage(browser);
  const person = await createAccountThroughConsole(admin, browser, "SUPPORT");
  const first = await (await browser.newContext()).newPage();
  await signIn(first, person.email, person.password);
  const second = await (await browser.newContext()).newPage();
  await signIn(second, person.email, person.password);

  await first.goto("/profile");
  const newPassword = `${person.password}-2`;
  await first.getByLabel("Current password").fill("wrong password");
  await first.getByLabel("New password (at least 12 characters)").fill(newPassword);
  await first.getByLabel("New password again").fill(newPassword);
  await first.getByRole("button", { name: "Change password" }).click();
  await expect(first.locator("form").getByRole("alert")).toHaveText("The current password is wrong.");
  await first.getByLabel("Current password").fill(person.password);
  await first.getByLabel("New password (at least 12 characters)").fill(newPassword);
  await first.getByLabel("New password again").fill(newPassword);
  await first.getByRole("button", { name: "Change password" }).click();
  await expect(first.getByRole("status")).toContainText("1 other session was signed out");
  await second.goto("/sessions");
  await expect(second).toHaveURL(/\/login$/);
  await first.goto("/sessions");
  await expect(first).toHaveURL(/\/sessions$/);

  // The admin makes them a USER: their very next request no longer has SUPPORT's rights.
  await admin.goto("/accounts");
  const row = admin.locator(`tr[data-account="${person.email}"]`);
  await row.getByLabel(`Role of ${person.email}`).selectOption("USER");
  await row.getByRole("button", { name: "Set role" }).click();
  await expect(row.getByRole("status")).toContainText("Role set to USER");
  await first.goto("/sessions");
  await expect(first).toHaveURL(/\/login$/);
  await signIn(first, person.email, newPassword, /\/devices$/);
  await first.goto("/sessions");
  await expect(first).toHaveURL(/\/forbidden$/);
});

test("an admin disables an account: its sessions end and it cannot sign in", async ({ browser }) => {
  const admin = await adminPage(browser);
  const person = await createAccountThroughConsole(admin, browser, "USER");
  const page = await (await browser.newContext()).newPage();
  await signIn(page, person.email, person.password, /\/devices$/);
  await admin.goto("/accounts");
  const row = admin.locator(`tr[data-account="${person.email}"]`);
  await row.getByRole("button", { name: `Disable ${person.email}` }).click();
  await expect(row.getByTestId("account-status")).toHaveText("disabled");
  await page.goto("/devices");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  // The last admin cannot disable itself.
  const self = admin.locator(`tr[data-account="${ADMIN.email}"]`);
  await self.getByRole("button", { name: `Disable ${ADMIN.email}` }).click();
  await expect(self.getByRole("alert")).toHaveText("You cannot disable your own account.");
});

test("an admin resets a forgotten password: a new one-time password to copy, the old one refused, the account's sessions ended", async ({ browser }) => {
  const admin = await adminPage(browser);
  const person = await createAccountThroughConsole(admin, browser, "SUPPORT");
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, person.email, person.password);

  await admin.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await admin.goto("/accounts");
  const row = admin.locator(`tr[data-account="${person.email}"]`);
  await row.getByRole("button", { name: `Reset the password of ${person.email}` }).click();
  const oneTime = ((await row.getByTestId("reset-password").textContent()) ?? "").trim();
  expect(oneTime).toMatch(/^[A-Za-z0-9]{20}$/);
  await row.getByRole("button", { name: "Copy" }).click();
  await expect(row.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(oneTime);
  await expect(row.getByTestId("account-status")).toHaveText("one-time password");

  // The person's session ended; the old password no longer works, the one-time one does and asks for a new one.
  await page.goto("/overview");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  await signIn(page, person.email, oneTime, /\/profile$/);
  await expect(page.getByRole("alert").filter({ hasText: "one-time password" })).toBeVisible();
  await admin.goto(`/audit?type=user.password_changed`);
  await expect(admin.locator('[data-event-type="user.password_changed"]').first()).toContainText(`reset the password of ${person.email}`);
  await context.close();
});

test("sensitive actions need a recent sign-in: past the window, the password is asked again", async ({ browser }) => {
  const port = 3102;
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-reauth-"));
  const server = startServer(port, {
    LATCHKEY_DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "latchkey.db")}`,
    LATCHKEY_ADMIN_EMAIL: ADMIN.email,
    LATCHKEY_ADMIN_PASSWORD: ADMIN.password,
    LATCHKEY_REAUTH_WINDOW: "2s",
    NEXTAUTH_URL: `http://localhost:${port}`,
  });
  try {
    await expect.poll(() => server.output().includes("listening on port"), { timeout: 60_000 }).toBe(true);
    const context = await browser.newContext({ baseURL: `http://localhost:${port}` });
    const page = await context.newPage();
    await signIn(page);
    const other = await (await browser.newContext({ baseURL: `http://localhost:${port}` })).newPage();
    await signIn(other);
    await page.waitForTimeout(2500);

    await page.goto("/devices");
    await page.getByRole("button", { name: "Sign out all other devices" }).click();
    await expect(page.getByText("For your security, enter your password again to continue.")).toBeVisible();
    await page.getByLabel("Your password").fill("not my password");
    await page.getByRole("button", { name: "Sign out all other devices" }).click();
    await expect(page.getByText("That password is wrong.")).toBeVisible();
    await other.goto("/devices");
    await expect(other).toHaveURL(/\/devices$/);

    const cookieName = (name: string) => name.endsWith("next-auth.session-token");
    const before = (await context.cookies()).find((cookie) => cookieName(cookie.name))!;
    await page.getByLabel("Your password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign out all other devices" }).click();
    await expect(page.getByRole("status")).toContainText("Signed out 1 other device");
    await other.goto("/devices");
    await expect(other).toHaveURL(/\/login$/);

    // Entering the password again gave this session a new token; the old cookie is refused at once.
    const after = (await context.cookies()).find((cookie) => cookieName(cookie.name))!;
    expect(after.value).not.toBe(before.value);
    await page.goto("/devices");
    await expect(page).toHaveURL(/\/devices$/);
    const replayed = await browser.newContext({ baseURL: `http://localhost:${port}` });
    await replayed.addCookies([before]);
    const thief = await replayed.newPage();
    await thief.goto("/devices");
    await expect(thief).toHaveURL(/\/login$/);
    await page.reload();
    await expect(page).toHaveURL(/\/devices$/);

    // Creating an API key and disabling a user ask for the password too, past the window.
    await page.waitForTimeout(2500);
    await page.goto("/api-keys");
    await page.getByLabel("Name", { exact: true }).fill("needs a fresh sign-in");
    await page.getByRole("checkbox", { name: /sessions:read/ }).check();
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByText("For your security, enter your password again to continue.")).toBeVisible();
    await expect(page.getByTestId("new-api-key")).toHaveCount(0);
    // A submitted form starts empty again (React resets it after its action).
    await page.getByLabel("Name", { exact: true }).fill("needs a fresh sign-in");
    await page.getByRole("checkbox", { name: /sessions:read/ }).check();
    await page.getByLabel("Your password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByTestId("new-api-key")).toBeVisible();
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("behind a trusted proxy that says https, the console's cookies are Secure and __Host-; over plain http they are neither", async ({ playwright }) => {
  // The suite's server trusts proxies on loopback (scripts/e2e-server.mjs), as one behind a TLS proxy would.
  const overTls = await playwright.request.newContext({ baseURL: BASE_URL });
  const secured = (await overTls.get("/api/auth/csrf", { headers: { "x-forwarded-proto": "https" } })).headers()["set-cookie"] ?? "";
  expect(secured).toMatch(/^__Host-next-auth\.csrf-token=/);
  expect(secured).toMatch(/;\s*Secure/i);
  expect(secured).toMatch(/;\s*Path=\//i);
  expect(secured).not.toMatch(/;\s*Domain=/i);
  const plain = await playwright.request.newContext({ baseURL: BASE_URL });
  const unsecured = (await plain.get("/api/auth/csrf")).headers()["set-cookie"] ?? "";
  expect(unsecured).toMatch(/^next-auth\.csrf-token=/);
  expect(unsecured).not.toMatch(/;\s*Secure/i);
  await overTls.dispose();
  await plain.dispose();
});

test("an account on a one-time password can do nothing but choose its own: server actions and the API refuse it", async ({ browser }) => {
  const admin = await adminPage(browser);
  await admin.goto("/accounts");
  const create = admin.locator("form", { has: admin.getByRole("button", { name: "Create account" }) });
  const email = `one-time-${Date.now()}@e2e.test`;
  await create.getByLabel("Email").fill(email);
  await create.getByLabel("Role").selectOption("ADMIN");
  await create.getByRole("button", { name: "Create account" }).click();
  const oneTime = ((await admin.getByTestId("one-time-password").textContent()) ?? "").trim();

  // An admin's action, recorded, sent again by the new ADMIN account still on its one-time password.
  await admin.goto("/api-keys");
  await admin.getByLabel("Name", { exact: true }).fill("sent on a one-time password");
  await admin.getByRole("checkbox", { name: /sessions:read/ }).check();
  const createKey = await recordAction(admin, () => admin.getByRole("button", { name: "Create key" }).click());
  await expect(admin.getByTestId("new-api-key")).toBeVisible();

  const page = await (await browser.newContext()).newPage();
  await signIn(page, email, oneTime, /\/profile$/);
  await page.goto("/api-keys");
  await expect(page).toHaveURL(/\/profile$/);
  const before = rowCounts();
  const replay = await replayAction(page, createKey);
  expect(replay.text).toContain("Choose your own password first");
  expect(rowCounts()).toEqual(before);
  // Nor does the export of every session answer it.
  const exported = await page.request.get("/sessions/export");
  expect(exported.status()).toBe(403);

  const api = await page.request.post("/api/v1/console-sessions", { data: { email, password: oneTime } });
  expect(api.status()).toBe(403);
  expect(((await api.json()) as { error: { message: string } }).error.message).toContain("Choose your own password");
});

test("console cookies are HttpOnly and SameSite=Lax, and not Secure on plain-http localhost", async ({ page, context }) => {
  await signIn(page);
  const cookie = (await context.cookies(BASE_URL)).find((candidate) => candidate.name.endsWith("next-auth.session-token"));
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
});
