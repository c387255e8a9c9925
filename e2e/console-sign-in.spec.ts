import { expect, test } from "@playwright/test";
import { ADMIN, createAccountThroughConsole, signIn } from "./fixtures";

test("the console sends a signed-out visitor to the sign-in page", async ({ page }) => {
  await page.goto("/sessions");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Latchkey" })).toBeVisible();
});

test("a wrong password gets a form message and no session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  await page.goto("/sessions");
  await expect(page).toHaveURL(/\/login$/);
});

test("the admin signs in, sees its own session, signs out, and that session shows as revoked", async ({ page, context }) => {
  await signIn(page);
  await expect(page.getByTestId("signed-in-as")).toContainText(`${ADMIN.email} · ADMIN`);
  await page.goto("/sessions");

  const own = page.locator("tr", { hasText: "this session" });
  await expect(own).toHaveCount(1);
  await expect(own.getByTestId("session-status")).toHaveText("active");
  await expect(own).toContainText(ADMIN.email);
  const sessionId = await own.getAttribute("data-session-id");
  expect(sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);

  const cookies = await context.cookies();
  const sessionCookie = cookies.find((cookie) => cookie.name.endsWith("next-auth.session-token"));
  expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  // The cookie is next-auth's encrypted JWT; the Latchkey token inside is never readable by scripts.
  expect(await page.evaluate(() => document.cookie)).not.toContain("session-token");
  const sessionJson = await (await page.request.get("/api/auth/session")).text();
  expect(sessionJson).not.toMatch(/lks_/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page);
  await page.goto("/sessions");
  const old = page.locator(`tr[data-session-id="${sessionId}"]`);
  await expect(old.getByTestId("session-status")).toHaveText("revoked");
  await expect(old).toContainText(`signed out by ${ADMIN.email}`);
  await expect(page.locator("tr", { hasText: "this session" })).toHaveCount(1);
  await expect(page.locator("tr", { hasText: "this session" })).not.toHaveAttribute("data-session-id", sessionId!);
});

test("a replayed cookie of a signed-out console session is refused", async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await signIn(page);
  const state = await first.storageState();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await first.close();

  // The old cookie, kept by an attacker, no longer opens the console.
  const replay = await browser.newContext({ storageState: state });
  const replayed = await replay.newPage();
  await replayed.goto("/sessions");
  await expect(replayed).toHaveURL(/\/login$/);
  await replay.close();
});

test("a flood of wrong passwords for one account is refused, then even the right one, with a clear message", async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  const person = await createAccountThroughConsole(admin, browser, "USER");
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.getByLabel("Email").fill(person.email);
    await page.getByLabel("Password").fill(`wrong guess ${attempt}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  }
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("Too many failed sign-ins");
  await page.goto("/devices");
  await expect(page).toHaveURL(/\/login$/);
});
