import { expect, type BrowserContext, type Page, type Response } from "@playwright/test";

// What every console page is held to, whoever opens it and at whatever width: its nonce
// Content-Security-Policy with no violation and no console error, and no width beyond the window's.
// console-pages.spec.ts walks every page with these checks; security-headers.spec.ts and
// console-layout.spec.ts use them on the pages and states of their own.

type Headers = Record<string, string>;

/** A Content-Security-Policy as directive name → its sources. */
export function directivesOf(policy: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (policy ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The policy of a page: scripts only by this response's nonce, never eval or inline; no framing. Returns the nonce. */
export function expectPagePolicy(headers: Headers, what: string): string {
  const directives = directivesOf(headers["content-security-policy"]);
  const scripts = directives.get("script-src") ?? [];
  const nonce = scripts.find((source) => source.startsWith("'nonce-"))?.slice("'nonce-".length, -1);
  expect(nonce, `${what}: script-src ${scripts.join(" ")}`).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(scripts, what).toContain("'strict-dynamic'");
  expect(scripts, what).not.toContain("'unsafe-eval'");
  expect(scripts, what).not.toContain("'unsafe-inline'");
  expect(directives.get("default-src"), what).toEqual(["'self'"]);
  expect(directives.get("object-src"), what).toEqual(["'none'"]);
  expect(directives.get("base-uri"), what).toEqual(["'none'"]);
  expect(directives.get("frame-ancestors"), what).toEqual(["'none'"]);
  return nonce!;
}

/** A page's answer carries its policy, and every script in its HTML carries the policy's nonce. */
export async function expectNonceOnEveryScript(response: Response | null, what: string): Promise<void> {
  expect(response, what).not.toBeNull();
  const nonce = expectPagePolicy(await response!.allHeaders(), what);
  const scriptTags = (await response!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(scriptTags.length, `${what}: scripts in the HTML`).toBeGreaterThan(0);
  for (const tag of scriptTags) expect(tag, what).toContain(`nonce="${nonce}"`);
}

/** Runs in every document before its first script: keeps each CSP violation on window. */
function recordViolations() {
  const seen: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
  document.addEventListener("securitypolicyviolation", (event) => {
    seen.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline code"} (${event.sourceFile}:${event.lineNumber})`);
  });
}

/** The CSP violations seen in the page's document so far. */
export async function violationsOn(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? ["the recorder did not run"]);
}

/**
 * A page whose CSP violations and console errors are recorded; `problems` lists the errors seen
 * so far. Chromium reports a page that answers 404 as a resource that failed to load: that is no
 * problem on the paths of `notFound`, which answer 404 on purpose.
 */
export async function watchedPage(context: BrowserContext, notFound: RegExp[] = []): Promise<{ page: Page; problems: string[] }> {
  await context.addInitScript(recordViolations);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (/status of 404/.test(message.text()) && notFound.some((path) => path.test(message.location().url))) return;
    problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught error on ${page.url()}: ${error.message}`));
  return { page, problems };
}

/** How far the page is wider than the window (0 when it fits). */
export function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
