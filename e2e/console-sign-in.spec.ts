import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Browser } from "@playwright/test";
import { decode, encode } from "next-auth/jwt";
import { ADMIN, BASE_URL, createAccountThroughConsole, DATA_DIR, signIn } from "./fixtures";

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

/** Whether a browser holding only this console cookie gets into the console. */
async function cookieOpensConsole(browser: Browser, name: string, value: string): Promise<boolean> {
  const context = await browser.newContext();
  try {
    // The browser is told to keep it for ten years: only the server's records may end it.
    await context.addCookies([{ name, value, url: BASE_URL, httpOnly: true, sameSite: "Lax", expires: Math.floor(Date.now() / 1000) + 10 * 365 * 86_400 }]);
    const page = await context.newPage();
    await page.goto("/sessions");
    return new URL(page.url()).pathname === "/sessions";
  } finally {
    await context.close();
  }
}

test("a forged or tampered console cookie is refused, and no expiry a cookie claims outlives its session", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  const cookie = (await context.cookies()).find((candidate) => candidate.name.endsWith("next-auth.session-token"));
  expect(cookie).toBeDefined();
  const { name, value } = cookie!;
  // The e2e server's own cookie key (scripts/e2e-server.mjs sets none, so it made one in its data folder).
  const secret = process.env.NEXTAUTH_SECRET || readFileSync(path.join(DATA_DIR, "auth-secret"), "utf8").trim();
  const claims = await decode({ token: value, secret });
  expect(typeof claims?.lk).toBe("string");
  const tenYears = 10 * 365 * 86_400;

  // The control: the same claims sealed with the server's key, now claiming ten years, get in.
  const resealed = await encode({ token: claims!, secret, maxAge: tenYears });
  expect(await cookieOpensConsole(browser, name, resealed)).toBe(true);
  // Sealed with any other key, or altered in one character of its ciphertext: refused.
  expect(await cookieOpensConsole(browser, name, await encode({ token: claims!, secret: randomBytes(32).toString("base64url"), maxAge: tenYears }))).toBe(false);
  const parts = value.split(".");
  const cipher = parts[3]!;
  const middle = Math.floor(cipher.length / 2);
  parts[3] = `${cipher.slice(0, middle)}${cipher[middle] === "A" ? "B" : "A"}${cipher.slice(middle + 1)}`;
  expect(await cookieOpensConsole(browser, name, parts.join("."))).toBe(false);

  // Once the session behind it has ended, the ten-year cookie is refused: expiry is the server's.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await cookieOpensConsole(browser, name, resealed)).toBe(false);
  await context.close();
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
