import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { client, createAccountThroughConsole, operatorClient, signIn } from "./fixtures";
import { expectNonceOnEveryScript, overflow, violationsOn, watchedPage } from "./page-checks";

// Every console page, as an ADMIN and as a USER sees it, at a desktop and a phone width, loaded
// once and held to all of: axe finds nothing serious or critical; the page is no wider than the
// window; it runs under its nonce Content-Security-Policy, with every script carrying the nonce, no
// violation and no console error. A SUPPORT account's pages are the ADMIN's with three ADMIN-only
// controls and some navigation links left out (end-users.spec.ts checks which pages each role
// reaches), so they add nothing to find.
// Seeded rows make the tables, timelines and charts render, with long texts where a page could
// grow too wide.

type Role = "ADMIN" | "USER";
type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

const WIDTHS = [1440, 390] as const;
const TENANT = "a-rather-long-tenant-name";
const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36",
];

const states = {} as Record<Role, StorageState>;
const seeded = { userId: "", liveSessionId: "", revokedSessionId: "", appId: "", endpointId: "" };

async function stateOf(browser: Browser, email?: string, password?: string, landing?: RegExp): Promise<StorageState> {
  const context = await browser.newContext();
  await signIn(await context.newPage(), email, password, landing);
  const state = await context.storageState();
  await context.close();
  return state;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  seeded.userId = `a11y-${Date.now()}`;
  const sessions = [];
  for (const [index, userAgent] of USER_AGENTS.entries()) {
    // The revoked session, whose page shows the long note too, has the long address.
    const ip = index === 2 ? "2001:db8:85a3::8a2e:370:7334" : `198.51.100.${index + 1}`;
    sessions.push((await client("all").createSession({ userId: seeded.userId, userAgent, ip, tenantId: TENANT, deviceLabel: index === 0 ? "Ann's laptop in the office" : undefined })).session);
  }
  seeded.liveSessionId = sessions[0]!.id;
  seeded.revokedSessionId = sessions[2]!.id;
  await client("all").revokeSession(seeded.revokedSessionId, { note: "ticket 4711: a long note that says why this session was ended by support" });
  for (let index = 0; index < 12; index++) await client("all").createSession({ userId: `a11y-other-${index}`, userAgent: USER_AGENTS[index % 3] });

  const operator = await operatorClient();
  const { application } = await operator.createApplication({ name: `a11y-app-${Date.now()}` });
  seeded.appId = application.id;
  const { endpoint } = await operator.createWebhook(application.id, { url: "http://127.0.0.1:9/hooks", eventTypes: ["session.revoked"], description: "audit mirror" });
  seeded.endpointId = endpoint.id;
  // A security event, which the audit log shows on a red tint.
  const { application: disabled } = await operator.createApplication({ name: `a11y-disabled-${Date.now()}` });
  await operator.updateApplication(disabled.id, { disabled: true });

  states.ADMIN = await stateOf(browser);
  const admin = await (await browser.newContext({ storageState: states.ADMIN })).newPage();
  const user = await createAccountThroughConsole(admin, browser, "USER");
  await admin.context().close();
  states.USER = await stateOf(browser, user.email, user.password, /\/devices$/);
});

/** The pages each role may open (paths, or a path and where the console sends the role instead). */
function pagesOf(role: Role): { path: string; landsOn?: RegExp }[] {
  const user = `/users/default/${encodeURIComponent(seeded.userId)}`;
  const app = `/applications/${encodeURIComponent(seeded.appId)}`;
  const operator = [
    { path: "/" , landsOn: /\/overview$/ },
    { path: "/sessions" },
    { path: `/sessions?tenantId=${TENANT}&status=active` },
    { path: `/sessions/${seeded.liveSessionId}` },
    { path: `/sessions/${seeded.revokedSessionId}` },
    { path: `/users` },
    { path: `/users?q=${seeded.userId}` },
    { path: user },
    { path: "/users/default/nobody-here" },
    { path: "/audit" },
    { path: "/debug" },
    { path: `/debug?user=${seeded.userId}` },
    { path: `/debug?sessionId=${seeded.revokedSessionId}` },
    { path: "/api-docs" },
    { path: "/devices" },
    { path: "/profile" },
  ];
  if (role === "ADMIN") {
    return [
      ...operator,
      { path: "/sweep" },
      { path: "/applications" },
      { path: app },
      { path: `${app}/webhooks` },
      { path: `${app}/webhooks/${encodeURIComponent(seeded.endpointId)}` },
      { path: "/accounts" },
      { path: "/api-keys" },
    ];
  }
  return [{ path: "/", landsOn: /\/devices$/ }, { path: "/devices" }, { path: "/profile" }, { path: "/overview", landsOn: /\/forbidden$/ }];
}

/** axe's serious and critical findings on the page as it is now. */
async function seriousFindings(page: Page) {
  // axe.run in the page itself ("legacy mode"): the default runs axe in each frame, then merges
  // the results in a new blank page, about 1.5 s a call here; it is only needed for frames of
  // other origins, which the console has none of. Violations only: axe then skips the selectors
  // of every passing node (axe-core's API, "Performance").
  const results = await new AxeBuilder({ page }).setLegacyMode().options({ resultTypes: ["violations"] }).analyze();
  return results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

/** The same, one line each. */
async function seriousViolations(page: Page, where: string): Promise<string[]> {
  return (await seriousFindings(page)).map((violation) => `${where}: ${violation.id} (${violation.impact}) on ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 5).join(" | ")}: ${violation.help}`);
}

for (const role of ["ADMIN", "USER"] as const) {
  for (const width of WIDTHS) {
    test(`every page ${role} may open, ${width} px wide: no serious axe finding, no wider than the window, its nonce policy unbroken`, async ({ browser }) => {
      test.setTimeout(240_000);
      const context = await browser.newContext({ storageState: states[role], viewport: { width, height: 900 } });
      const notFound = /\/users\/default\/nobody-here$/;
      const { page, problems } = await watchedPage(context, [notFound]);
      const found: string[] = [];
      for (const { path, landsOn } of pagesOf(role)) {
        const where = `${role} ${path} @${width}`;
        const response = await page.goto(path);
        expect(response?.status(), where).toBe(notFound.test(path) ? 404 : 200);
        if (landsOn) await expect(page).toHaveURL(landsOn);
        else expect(page.url(), where).toBe(new URL(path, page.url()).href);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        found.push(...(await seriousViolations(page, where)));
        // Whatever the page loads once shown (its chunks, prefetches) has run under the policy too.
        await page.waitForLoadState("networkidle");
        const tooWide = await overflow(page);
        if (tooWide > 0) found.push(`${where}: ${tooWide} px wider than the window`);
        await expectNonceOnEveryScript(response, where);
        found.push(...(await violationsOn(page)).map((violation) => `${where}: CSP ${violation}`));
      }
      await context.close();
      found.push(...problems);
      expect(found, found.join("\n")).toEqual([]);
    });
  }
}

test("the sign-in page, signed out, at both widths: no serious or critical axe finding", async ({ browser }) => {
  const found: string[] = [];
  for (const width of WIDTHS) {
    const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    await page.goto("/login");
    found.push(...(await seriousViolations(page, `/login @${width}`)));
    await page.context().close();
  }
  expect(found, found.join("\n")).toEqual([]);
});

test("the check finds what it looks for: an image with no text and a nameless button planted on a page are reported", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  // Planted once the page is hydrated: React would otherwise render over what it did not make.
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => {
    const main = document.querySelector("main") ?? document.body;
    main.insertAdjacentHTML("beforeend", '<img src="/favicon.svg" data-planted><button type="button" data-planted></button>');
  });
  const found = await seriousFindings(page);
  await expect(page.locator("[data-planted]"), "the planted elements are still on the page").toHaveCount(2);
  await page.context().close();
  expect(found.map((violation) => violation.id)).toEqual(expect.arrayContaining(["image-alt", "button-name"]));
});

test("open dialogs, the phone menu and the phone filters: no serious or critical axe finding", async ({ browser }) => {
  const found: string[] = [];
  const wide = await (await browser.newContext({ storageState: states.ADMIN, viewport: { width: 1440, height: 900 } })).newPage();
  await wide.goto(`/users/default/${encodeURIComponent(seeded.userId)}`);
  await wide.getByRole("button", { name: "Log out everywhere" }).click();
  await expect(wide.getByRole("dialog")).toBeVisible();
  found.push(...(await seriousViolations(wide, "log out everywhere dialog")));
  await wide.keyboard.press("Escape");
  await wide.goto(`/sessions?tenantId=${TENANT}&status=active`);
  await wide.locator("tr[data-session-id]").first().getByRole("checkbox").check();
  await wide.getByRole("button", { name: /^Revoke selected/ }).click();
  await expect(wide.getByRole("dialog")).toBeVisible();
  found.push(...(await seriousViolations(wide, "bulk revoke dialog")));
  await wide.context().close();

  const phone = await (await browser.newContext({ storageState: states.ADMIN, viewport: { width: 390, height: 844 } })).newPage();
  await phone.goto("/sessions");
  await phone.getByRole("button", { name: "Menu" }).click();
  await phone.getByRole("button", { name: /^Filters/ }).click();
  await expect(phone.getByRole("form", { name: "Filter sessions" })).toBeVisible();
  found.push(...(await seriousViolations(phone, "phone menu and filters open")));
  await phone.context().close();
  expect(found, found.join("\n")).toEqual([]);
});
