import { expect, test } from "@playwright/test";
import { client, signIn } from "./fixtures";
import { overflow } from "./page-checks";

// The console at a phone's width (390 px) and a laptop's (1440 px): the menu and the filters fold
// behind buttons on the phone, wide tables scroll in their own box, and no page is wider than the window
// (console-pages.spec.ts checks that on every page, at both widths).

const CHROME_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36";

test("390 px: the menu button shows and hides the navigation; Escape closes it", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const menu = page.getByRole("button", { name: "Menu" });
  const sessions = page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Sessions" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(sessions).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(sessions).toBeVisible();
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Escape");
  await expect(sessions).toBeHidden();
  await expect(menu).toBeFocused();
  await menu.click();
  await sessions.click();
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByRole("heading", { name: "Sessions", level: 1 })).toBeVisible();
  // Following a link folds the menu again.
  await expect(sessions).toBeHidden();
});

test("390 px: the filter button shows and hides the filters of the sessions, users and audit pages", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  for (const [path, form] of [
    ["/sessions", page.getByRole("form", { name: "Filter sessions" })],
    ["/users", page.getByRole("search", { name: "Search users" })],
    ["/audit", page.getByRole("form", { name: "Filter events" })],
  ] as const) {
    await page.goto(path);
    const button = page.getByRole("button", { name: /^Filters/ });
    await expect(form, path).toBeHidden();
    await expect(button, path).toHaveAttribute("aria-expanded", "false");
    await button.click();
    await expect(form, path).toBeVisible();
    await expect(button, path).toHaveAttribute("aria-expanded", "true");
    expect(await overflow(page), path).toBeLessThanOrEqual(0);
    await button.click();
    await expect(form, path).toBeHidden();
  }
  // The button says how many filters the view sets.
  await page.goto("/sessions?status=active&tenantId=acme&sort=lastSeenAt");
  await expect(page.getByRole("button", { name: /^Filters/ })).toHaveText("Filters (2 set)");
});

test("390 px: the sessions table scrolls in its own box, and its last column is reached by scrolling it", async ({ page }) => {
  await client("all").createSession({ userId: `layout-${Date.now()}`, userAgent: CHROME_ON_LINUX, ip: "203.0.113.9", tenantId: "a-rather-long-tenant-name" });
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await page.goto("/sessions");
  const region = page.getByRole("region", { name: "Sessions" });
  const last = region.getByRole("columnheader").last();
  await expect(last).toHaveText("Session");
  const box = (await region.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  // Wider than the window, so it scrolls; the page itself does not.
  expect(await region.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  expect((await last.boundingBox())!.x).toBeGreaterThan(box.x + box.width);

  await region.evaluate((element) => element.scrollTo({ left: element.scrollWidth }));
  const header = (await last.boundingBox())!;
  expect(header.x).toBeGreaterThanOrEqual(box.x);
  expect(header.x + header.width).toBeLessThanOrEqual(box.x + box.width + 1);
  await expect(page.locator("tr[data-session-id]").first().getByRole("link").last()).toBeInViewport();
});

test("1440 px: the menu and the filters show without their buttons; the sessions table's last column is in its box", async ({ page }) => {
  // That no page is wider than the window, at both widths, is checked on every page by console-pages.spec.ts.
  const userId = `wide-${Date.now()}`;
  const { session } = await client("all").createSession({ userId, userAgent: CHROME_ON_LINUX, ip: "2001:db8:85a3::8a2e:370:7334", tenantId: "a-rather-long-tenant-name" });
  await client("all").revokeSession(session.id, { note: "ticket 4711: a long note that says why this session was ended by support" });
  await client("all").createSession({ userId, userAgent: CHROME_ON_LINUX, tenantId: "a-rather-long-tenant-name", deviceLabel: "Ann's laptop in the office" });
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page);
  await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Sessions" })).toBeVisible();

  await page.goto("/sessions");
  await expect(page.getByRole("button", { name: /^Filters/ })).toBeHidden();
  await expect(page.getByRole("form", { name: "Filter sessions" })).toBeVisible();
  const region = page.getByRole("region", { name: "Sessions" });
  const box = (await region.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(1440);
  await region.evaluate((element) => element.scrollTo({ left: element.scrollWidth }));
  const last = (await region.getByRole("columnheader", { name: "Session", exact: true }).boundingBox())!;
  expect(last.x).toBeGreaterThanOrEqual(box.x);
  expect(last.x + last.width).toBeLessThanOrEqual(box.x + box.width + 1);
});
