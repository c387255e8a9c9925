import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { BASE_URL, signIn, startServer } from "./fixtures";
import { directivesOf, expectNonceOnEveryScript, expectPagePolicy, violationsOn, watchedPage } from "./page-checks";

// Security headers (scripts/server.mjs for every response, proxy.ts for the pages' nonce CSP): the
// sign-in, refusal and not-found pages and moving between pages run under the policy without a
// violation (console-pages.spec.ts checks every other page, as an ADMIN and a USER, at two widths), the headers
// are on pages, API answers and the hot path alike, HSTS follows the client's (trusted) protocol,
// and no other origin can frame the console.

const HSTS_PORT = 3109;
/** Paths that answer 404 on purpose. */
const NOT_FOUND = [/\/(no-such-page|sessions\/no-such-session)$/];

type Headers = Record<string, string>;

/** Headers every response carries, whatever answered it. */
const EVERY_RESPONSE: Headers = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

function expectEveryResponseHeaders(headers: Headers, what: string) {
  for (const [name, value] of Object.entries(EVERY_RESPONSE)) expect(headers[name], `${what}: ${name}`).toBe(value);
  const permissions = headers["permissions-policy"] ?? "";
  for (const feature of ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]) expect(permissions, `${what}: Permissions-Policy`).toContain(feature);
  expect(headers["x-powered-by"], `${what}: X-Powered-By`).toBeUndefined();
}

/** The policy of an API answer or a file: nothing may run, nothing may frame it. */
function expectApiPolicy(headers: Headers, what: string) {
  const directives = directivesOf(headers["content-security-policy"]);
  expect(directives.get("default-src"), what).toEqual(["'none'"]);
  expect(directives.get("frame-ancestors"), what).toEqual(["'none'"]);
}

/** Loads `url` fully, checks its policy, that every script in its HTML carries the nonce, and that nothing was refused. */
async function visit(page: Page, problems: string[], url: string, status = 200): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), url).toBe(status);
  await page.waitForLoadState("networkidle");
  await expectNonceOnEveryScript(response, url);
  expect(await violationsOn(page), url).toEqual([]);
  expect(problems, url).toEqual([]);
}

async function signedInAdmin(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const watched = await watchedPage(await browser.newContext(), NOT_FOUND);
  await signIn(watched.page);
  return watched;
}

test("signed out, signed in, on the refusal and not-found pages and moving between pages: the nonce policy, no CSP violation, no console error", async ({ browser }) => {
  // Each page loaded as a whole is checked the same way by console-pages.spec.ts, for each role and width.
  test.setTimeout(120_000);
  const signedOut = await watchedPage(await browser.newContext());
  await visit(signedOut.page, signedOut.problems, "/login");
  // Signing in runs the form's script (next-auth's client): it works under the policy.
  const { page, problems } = await signedInAdmin(browser);
  expect(await violationsOn(page)).toEqual([]);
  expect(problems).toEqual([]);

  const pages: [string, number?][] = [
    ["/forbidden"],
    ["/sessions/no-such-session", 404],
    ["/no-such-page", 404],
  ];
  for (const [url, status] of pages) await visit(page, problems, url, status);

  // Moving between pages in the browser loads each page's chunks through the runtime ('strict-dynamic').
  await page.goto("/overview");
  const nav = page.getByRole("navigation", { name: "Console" });
  for (const [label, url] of [
    ["Sessions", "/sessions"],
    ["Users", "/users"],
    ["Audit log", "/audit"],
    ["Debugger", "/debug"],
    ["Sweep", "/sweep"],
    ["Applications", "/applications"],
    ["Accounts", "/accounts"],
    ["API keys", "/api-keys"],
    ["API", "/api-docs"],
    ["My devices", "/devices"],
    ["Profile", "/profile"],
    ["Overview", "/overview"],
  ] as const) {
    await nav.getByRole("link", { name: label, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${url}$`));
    await page.waitForLoadState("networkidle");
  }
  expect(await violationsOn(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test("the page policy refuses eval and inline event handlers, and the violation recorder sees it", async ({ browser }) => {
  // Guards the check above: a policy with 'unsafe-eval' or 'unsafe-inline', or a recorder that hears nothing, fails here.
  // (Code run through page.evaluate is exempt from the page's policy; what it schedules is not.)
  const { page } = await watchedPage(await browser.newContext());
  await page.goto("/login");
  await page.evaluate(() => {
    window.setTimeout("window.__fromString = true", 0);
    const button = document.createElement("button");
    button.setAttribute("onclick", "window.__fromAttribute = true");
    document.body.append(button);
    button.click();
  });
  await expect.poll(() => violationsOn(page)).toHaveLength(2);
  expect((await violationsOn(page)).sort()).toEqual([expect.stringMatching(/^script-src refused eval/), expect.stringMatching(/^script-src-attr refused inline/)]);
  expect(await page.evaluate(() => Object.keys(window).filter((name) => name.startsWith("__from")))).toEqual([]);
});

test("pages, API answers, the hot path and files carry the security headers; a page's policy replaces the server's", async ({ request }) => {
  const page = await request.get("/login");
  expect(page.status()).toBe(200);
  const pageHeaders = page.headers();
  expectEveryResponseHeaders(pageHeaders, "GET /login");
  const nonce = expectPagePolicy(pageHeaders, "GET /login");
  // One policy, the page's: the server's API policy was replaced, not sent beside it.
  expect(page.headersArray().filter((header) => header.name.toLowerCase() === "content-security-policy")).toHaveLength(1);
  // A fresh nonce on every response.
  expect(expectPagePolicy((await request.get("/login")).headers(), "GET /login again")).not.toBe(nonce);
  // Plain http: no HSTS, no upgrade of the page's requests.
  expect(pageHeaders["strict-transport-security"]).toBeUndefined();
  expect(directivesOf(pageHeaders["content-security-policy"]).has("upgrade-insecure-requests")).toBe(false);

  const answers = [
    { what: "GET /api/v1/me without a key", response: await request.get("/api/v1/me"), status: 401 },
    { what: "GET /api/health", response: await request.get("/api/health"), status: 200 },
    { what: "POST /api/v1/sessions/resolve without a key (hot path)", response: await request.post("/api/v1/sessions/resolve", { data: { token: "not-a-token" } }), status: 401 },
    { what: "GET /favicon.svg", response: await request.get("/favicon.svg"), status: 200 },
  ];
  for (const { what, response, status } of answers) {
    expect(response.status(), what).toBe(status);
    const headers = response.headers();
    expectEveryResponseHeaders(headers, what);
    expectApiPolicy(headers, what);
    expect(response.headersArray().filter((header) => header.name.toLowerCase() === "content-security-policy"), what).toHaveLength(1);
    expect(headers["strict-transport-security"], what).toBeUndefined();
  }
  expect(answers[2]!.response.headers()["server-timing"], "answered by the hot path").toMatch(/^hot;/);
});

test("Strict-Transport-Security is sent exactly when the client came over https, as a trusted proxy says", async () => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-hsts-"));
  // Trusts 127.0.0.1 as its proxy, not ::1: the same machine is a trusted proxy on one address
  // and an ordinary client (whose X-Forwarded-Proto counts for nothing) on the other.
  const server = startServer(HSTS_PORT, {
    LATCHKEY_DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "latchkey.db")}`,
    LATCHKEY_TRUSTED_PROXIES: "127.0.0.1",
    NEXTAUTH_URL: `http://localhost:${HSTS_PORT}`,
  });
  try {
    await expect
      .poll(
        async () => {
          if (server.child.exitCode !== null) throw new Error(`server exited:\n${server.output()}`);
          return fetch(`http://127.0.0.1:${HSTS_PORT}/api/health`).then((response) => response.status, () => 0);
        },
        { timeout: 60_000 },
      )
      .toBe(200);
    const trusted = `http://127.0.0.1:${HSTS_PORT}`;
    const untrusted = `http://[::1]:${HSTS_PORT}`;
    const calls: [string, (base: string, proto?: string) => Promise<Response>][] = [
      ["GET /login", (base, proto) => fetch(`${base}/login`, { headers: proto ? { "x-forwarded-proto": proto } : {} })],
      ["GET /api/health", (base, proto) => fetch(`${base}/api/health`, { headers: proto ? { "x-forwarded-proto": proto } : {} })],
      [
        "POST /api/v1/sessions/resolve (hot path)",
        (base, proto) =>
          fetch(`${base}/api/v1/sessions/resolve`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(proto ? { "x-forwarded-proto": proto } : {}) },
            body: JSON.stringify({ token: "not-a-token" }),
          }),
      ],
    ];
    const cases = [
      { from: "a trusted proxy saying https", base: trusted, proto: "https", hsts: "max-age=31536000" },
      { from: "a trusted proxy saying http", base: trusted, proto: "http", hsts: null },
      { from: "plain http", base: trusted, proto: undefined, hsts: null },
      { from: "an untrusted client claiming https", base: untrusted, proto: "https", hsts: null },
    ];
    for (const { from, base, proto, hsts } of cases) {
      for (const [what, send] of calls) {
        const response = await send(base, proto);
        expect(response.headers.get("strict-transport-security"), `${what} from ${from}`).toBe(hsts);
        expect(response.headers.get("x-content-type-options"), `${what} from ${from}`).toBe("nosniff");
      }
      // A page fetched over https asks the browser to fetch its resources over https too.
      const page = await calls[0]![1](base, proto);
      expect(directivesOf(page.headers.get("content-security-policy") ?? "").has("upgrade-insecure-requests"), `GET /login from ${from}`).toBe(hsts !== null);
    }
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("another origin cannot frame the console, signed in or not", async ({ browser }) => {
  const { page } = await signedInAdmin(browser);
  // Another origin (another port of localhost: same site, so the console's cookies go along).
  const framer = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    if (request.url === "/own") {
      response.end('<!doctype html><p id="own-content">the framing site\'s own page</p>');
      return;
    }
    response.end(`<!doctype html>
      <script>window.framesLoaded = 0;</script>
      <iframe id="own" src="/own" onload="window.framesLoaded++"></iframe>
      <iframe id="overview" src="${BASE_URL}/overview" onload="window.framesLoaded++"></iframe>
      <iframe id="login" src="${BASE_URL}/login" onload="window.framesLoaded++"></iframe>
      <iframe id="api" src="${BASE_URL}/api/health" onload="window.framesLoaded++"></iframe>`);
  });
  await new Promise<void>((resolve) => framer.listen(0, resolve));
  try {
    const origin = `http://localhost:${(framer.address() as AddressInfo).port}`;
    const framerPage = await page.context().newPage();
    await framerPage.goto(origin);
    await expect.poll(() => framerPage.evaluate(() => (window as unknown as { framesLoaded: number }).framesLoaded), { timeout: 15_000 }).toBe(4);
    // The check can see into a frame: the framing site's own page shows.
    await expect(framerPage.frameLocator("#own").locator("#own-content")).toHaveText("the framing site's own page");
    // The console's do not, signed in or not, and neither does an API answer.
    await expect(framerPage.frameLocator("#overview").getByTestId("signed-in-as")).toHaveCount(0);
    await expect(framerPage.frameLocator("#login").getByText("Sign in to the console.")).toHaveCount(0);
    await expect(framerPage.frameLocator("#api").getByText('"status"')).toHaveCount(0);
    for (const id of ["overview", "login", "api"]) {
      const frame = await (await framerPage.locator(`#${id}`).elementHandle())!.contentFrame();
      expect(frame?.url() ?? "", id).not.toContain(BASE_URL);
    }
    // The same pages show in a tab of their own.
    await page.goto("/overview");
    await expect(page.getByTestId("signed-in-as")).toBeVisible();
  } finally {
    await new Promise((resolve) => framer.close(resolve));
  }
});
