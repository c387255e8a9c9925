import Database from "better-sqlite3";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { ADMIN, DATABASE_FILE, client, sessionRow } from "./fixtures";

// Revoking a session and logging a person out everywhere with the keyboard alone: after each
// navigation only page.keyboard is used (Tab, Shift+Tab, Enter, Space, Escape, typing).

/** Presses `key` until `target` has focus (at most `limit` times). */
async function focusBy(page: Page, target: Locator, key = "Tab", limit = 120): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(key);
  }
  await expect(target).toBeFocused();
}

/** The focused element draws a visible ring (an outline at least 2 px wide). */
async function expectFocusRing(page: Page): Promise<void> {
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(ring.style).not.toBe("none");
  expect(ring.width).toBeGreaterThanOrEqual(2);
}

/** Signs in as the admin by typing into the form. */
async function signInByKeyboard(page: Page): Promise<void> {
  await page.goto("/login");
  await focusBy(page, page.getByLabel("Email"));
  await page.keyboard.type(ADMIN.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/overview$/);
}

function liveSessionsOf(userId: string): number {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM "Session" WHERE "appId" = 'default' AND "userId" = ? AND "revokedAt" IS NULL`).get(userId) as { n: number }).n;
  } finally {
    db.close();
  }
}

test("revoke a session from the sessions table with the keyboard: select, confirm, cancel with Escape, confirm with a reason", async ({ page }) => {
  const tenantId = `keyboard-${Date.now()}`;
  const { session } = await client("all").createSession({ userId: `kb-revoke-${Date.now()}`, tenantId });
  await signInByKeyboard(page);
  await page.goto(`/sessions?tenantId=${tenantId}`);

  const checkbox = page.getByRole("checkbox", { name: `Select session ${session.id}` });
  await focusBy(page, checkbox);
  await page.keyboard.press("Space");
  await expect(checkbox).toBeChecked();

  const open = page.getByRole("button", { name: "Revoke selected (1)" });
  await focusBy(page, open, "Shift+Tab");
  await expectFocusRing(page);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Revoke 1 session?" });
  await expect(dialog).toBeVisible();
  // Focus moved into the confirmation…
  expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
  // …and Escape cancels it, handing focus back to the button that opened it.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();
  expect(sessionRow(session.id)?.revokedAt).toBeNull();

  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await focusBy(page, dialog.getByRole("textbox", { name: "Reason or ticket" }));
  await page.keyboard.type("ticket 4711: revoked from the keyboard");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Revoked 1 session." })).toBeVisible();
  await expect(dialog).toBeHidden();

  const row = sessionRow(session.id);
  expect(row?.revokedAt).not.toBeNull();
  expect(row?.revokedReason).toBe("REVOKED");
  expect(row?.revokeNote).toBe("ticket 4711: revoked from the keyboard");
  await expect(page.locator(`tr[data-session-id="${session.id}"]`).getByTestId("session-status")).toHaveText("revoked");
});

test("log a person out everywhere with the keyboard: open, cancel with Escape, reopen with Space, type the reason, confirm", async ({ page }) => {
  const userId = `kb-everywhere-${Date.now()}`;
  for (let index = 0; index < 2; index++) await client("all").createSession({ userId, ip: `192.0.2.${index + 1}` });
  expect(liveSessionsOf(userId)).toBe(2);
  await signInByKeyboard(page);
  await page.goto(`/users/default/${encodeURIComponent(userId)}`);

  const open = page.getByRole("button", { name: "Log out everywhere" });
  await focusBy(page, open);
  await expectFocusRing(page);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Log this user out everywhere?" });
  await expect(dialog).toContainText("2 live sessions end");
  const note = dialog.getByRole("textbox", { name: "Reason or ticket" });
  await expect(note).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();
  expect(liveSessionsOf(userId)).toBe(2);

  await page.keyboard.press("Space");
  await expect(note).toBeFocused();
  await page.keyboard.type("ticket 4712: lost phone");
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Log out everywhere" })).toBeFocused();
  await expectFocusRing(page);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Logged out everywhere" })).toHaveText("Logged out everywhere: 2 sessions ended.");

  expect(liveSessionsOf(userId)).toBe(0);
  await expect(page.locator("tr[data-session-id]").getByTestId("session-status")).toHaveText(["revoked", "revoked"]);
  await expect(page.locator('[data-event-type="user.sessions_revoked"]')).toContainText("ticket 4712: lost phone");
});

test("the scrolling sessions table is in the tab order and scrolls with the arrow keys", async ({ page }) => {
  await client("all").createSession({ userId: `kb-scroll-${Date.now()}`, userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36" });
  await page.setViewportSize({ width: 390, height: 844 });
  await signInByKeyboard(page);
  await page.goto("/sessions");
  const region = page.getByRole("region", { name: "Sessions" });
  await focusBy(page, region);
  await expectFocusRing(page);
  expect(await region.evaluate((element) => element.scrollLeft)).toBe(0);
  for (let presses = 0; presses < 5; presses++) await page.keyboard.press("ArrowRight");
  await expect.poll(() => region.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
});
