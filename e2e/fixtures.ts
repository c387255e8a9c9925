import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, type APIRequestContext, type APIResponse, type Browser, type Locator, type Page } from "@playwright/test";
import { createLatchkeyClient, type LatchkeyClient } from "@latchkey/client";

export const PORT = Number(process.env.E2E_PORT ?? 3100);
export const BASE_URL = `http://localhost:${PORT}`;
/** The e2e server's data folder (scripts/e2e-server.mjs). */
export const DATA_DIR = path.join(tmpdir(), `latchkey-e2e-${PORT}`);
export const DATABASE_FILE = path.join(DATA_DIR, "latchkey.db");
export const KEYS_FILE = path.join(DATA_DIR, "api-keys.json");
/**
 * Where the servers of a run write what they print (scripts/e2e-server.mjs for the e2e server,
 * startServer for the others): scripts/test.mjs scans it for tokens after the run.
 */
export const LOG_DIR = process.env.E2E_LOG_DIR || path.join(tmpdir(), `latchkey-e2e-logs-${PORT}`);
export const E2E_SERVER_LOG = path.join(LOG_DIR, `e2e-server-${PORT}.log`);
/** The bearer token of the e2e server's /metrics (scripts/e2e-server.mjs). */
export const METRICS_TOKEN = process.env.E2E_METRICS_TOKEN || "e2e-metrics-token-0123456789";

export const ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@e2e.test",
  password: process.env.E2E_ADMIN_PASSWORD ?? "correct horse battery staple",
};

/** API keys seeded by global.setup.ts, by what they may do. */
export const KEY_SCOPES = {
  all: ["sessions:read", "sessions:write", "sessions:admin", "oauth-states", "service-sessions"],
  read: ["sessions:read"],
  write: ["sessions:write"],
  admin: ["sessions:admin"],
  oauth: ["oauth-states"],
  fuzz: ["sessions:read", "sessions:write", "sessions:admin", "oauth-states", "service-sessions"],
  limits: ["sessions:read"],
} as const;
export type KeyName = keyof typeof KEY_SCOPES;

/** The real command line's `api-key create`, against the e2e server's database, printing JSON. */
function createKeyCommand(app: string, name: string, scopes: readonly string[]): [string, string[], { env: NodeJS.ProcessEnv; encoding: "utf8" }] {
  return [
    process.execPath,
    ["--import", "tsx", "scripts/api-key.ts", "create", "--app", app, "--name", name, "--scopes", scopes.join(","), "--json"],
    { env: { ...process.env, DATABASE_URL: `file:${DATABASE_FILE}`, LATCHKEY_DATA_DIR: DATA_DIR }, encoding: "utf8" },
  ];
}

/** Creates one key per entry of KEY_SCOPES with the real CLI, all at once. */
export async function seedApiKeys(): Promise<Record<KeyName, string>> {
  const created = await Promise.all(
    (Object.entries(KEY_SCOPES) as [KeyName, readonly string[]][]).map(
      ([name, scopes]) =>
        new Promise<[KeyName, string]>((resolve, reject) => {
          execFile(...createKeyCommand("default", `e2e-${name}`, scopes), (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve([name, (JSON.parse(stdout) as { key: string }).key]),
          );
        }),
    ),
  );
  return Object.fromEntries(created) as Record<KeyName, string>;
}

/** A key of an application (by name or id) with every scope, made with the real command line. */
export function keyOf(app: string, name = `key-${app}`): string {
  return (JSON.parse(execFileSync(...createKeyCommand(app, name, KEY_SCOPES.all))) as { key: string }).key;
}

/** The console's admin through the API (a console session as the bearer), optionally in one application. */
export async function operatorClient(app?: string): Promise<LatchkeyClient> {
  const { token } = await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" }).createConsoleSession({ email: ADMIN.email, password: ADMIN.password });
  return createLatchkeyClient({ baseUrl: BASE_URL, apiKey: token, app });
}

export function apiKeys(): Record<KeyName, string> {
  return JSON.parse(readFileSync(KEYS_FILE, "utf8")) as Record<KeyName, string>;
}

export function client(key: KeyName = "all"): LatchkeyClient {
  return createLatchkeyClient({ baseUrl: BASE_URL, apiKey: apiKeys()[key], fetch: watchedFetch });
}

/*
 * Stored secrets in answers: while a spec file watches, every answer its API clients, request
 * contexts and pages receive is kept, to be checked at the end against every hash the database
 * holds (of session, OAuth state and API key secrets, and of passwords).
 */
let watching = false;
let received: { url: string; body: Promise<string> }[] = [];

/** Starts keeping answers (call it in the spec file's beforeAll). */
export function watchAnswers(): void {
  watching = true;
  received = [];
}

/**
 * Keeps one answer's body, if answers are watched: `read` is called only then. A body that cannot
 * be read (a page navigated away first) or is not read within 10 s counts as empty.
 */
export function keepAnswer(url: string, read: () => Promise<string> | string): void {
  if (!watching) return;
  const late = new Promise<string>((resolve) => setTimeout(() => resolve(""), 10_000).unref());
  const body = Promise.resolve()
    .then(read)
    .catch(() => "");
  received.push({ url, body: Promise.race([body, late]) });
}

const watchedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const copy = response.clone();
  keepAnswer(String(input), () => copy.text());
  return response;
};

/** Keeps every page, server-action and fetch answer of this server that `page` receives. */
export function watchPage(page: Page): Page {
  page.on("response", (response) => {
    if (!response.url().startsWith(BASE_URL) || !["document", "fetch", "xhr"].includes(response.request().resourceType())) return;
    keepAnswer(response.url(), () => response.text());
  });
  return page;
}

const REQUEST_METHODS = new Set(["fetch", "get", "post", "put", "patch", "delete", "head"]);

/** `request`, keeping every answer it receives. */
export function watchRequest(request: APIRequestContext): APIRequestContext {
  return new Proxy(request, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function" || !REQUEST_METHODS.has(String(property))) return value;
      return async (...args: unknown[]) => {
        const response = (await value.apply(target, args)) as APIResponse;
        keepAnswer(response.url(), () => response.text());
        return response;
      };
    },
  });
}

/** Every secret hash the e2e database holds, with where it is kept ("Session.secretHash"). */
export function storedHashes(): Map<string, string> {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    const hashes = new Map<string, string>();
    for (const table of ["Session", "OAuthState", "ApiKey"]) {
      for (const { secretHash } of db.prepare(`SELECT "secretHash" FROM "${table}"`).all() as { secretHash: string }[]) hashes.set(secretHash, `${table}.secretHash`);
    }
    for (const { passwordHash } of db.prepare(`SELECT "passwordHash" FROM "User" WHERE "passwordHash" IS NOT NULL`).all() as { passwordHash: string }[]) {
      // scrypt$N$r$p$salt$key: the derived key alone is as bad as the whole.
      hashes.set(passwordHash.split("$").at(-1) ?? passwordHash, "User.passwordHash");
    }
    return hashes;
  } finally {
    db.close();
  }
}

/**
 * The answers among `answers` that contain a stored hash: each hash is 43 characters of
 * base64url, so only runs of those characters are looked at, through a set.
 */
export function answersWithStoredHashes(answers: { url: string; body: string }[], hashes = storedHashes()): string[] {
  if (hashes.size === 0) return [];
  const lengths = new Set([...hashes.keys()].map((hash) => hash.length));
  const shortest = Math.min(...lengths);
  const found: string[] = [];
  for (const { url, body } of answers) {
    for (const [run] of body.matchAll(new RegExp(`[A-Za-z0-9_-]{${shortest},}`, "g"))) {
      for (const length of lengths) {
        for (let start = 0; start + length <= run.length; start++) {
          const kind = hashes.get(run.slice(start, start + length));
          if (kind) found.push(`${url} holds a ${kind}`);
        }
      }
    }
  }
  return found;
}

/** The answers kept since watchAnswers (which stops keeping them), and the hashes found in them. */
export async function checkAnswers(): Promise<{ answers: { url: string; body: string }[]; leaks: string[] }> {
  watching = false;
  const answers = await Promise.all(received.map(async ({ url, body }) => ({ url, body: await body })));
  received = [];
  return { answers, leaks: answersWithStoredHashes(answers) };
}


/** Row counts of every table of the e2e database, read directly from the file. */
export function rowCounts(): Record<string, number> {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    const counts: Record<string, number> = {};
    for (const table of ["Application", "User", "Session", "SweptSession", "OAuthState", "AuditEvent", "ApiKey", "WebhookEndpoint", "WebhookDelivery"]) {
      counts[table] = (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    return counts;
  } finally {
    db.close();
  }
}

/** One session's row, read directly from the database (any application, the console's too). */
export function sessionRow(sessionId: string): Record<string, unknown> | undefined {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT * FROM "Session" WHERE "id" = ?`).get(sessionId) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

/** Audit events of a session, oldest first, read directly from the database. */
export function auditEventsOf(sessionId: string): { type: string; actorType: string; actorLabel: string | null }[] {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(`SELECT "type", "actorType", "actorLabel" FROM "AuditEvent" WHERE "sessionId" = ? ORDER BY "id"`)
      .all(sessionId) as { type: string; actorType: string; actorLabel: string | null }[];
  } finally {
    db.close();
  }
}

/** Signs in through the form and waits for the landing page (sessions for operators, devices for users). */
export async function signIn(page: Page, email = ADMIN.email, password = ADMIN.password, landing: RegExp = /\/overview$/): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(landing);
}

/** A server-action call as the browser sent it: enough to send it again by hand. */
export interface RecordedAction {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Runs `submit` (which submits a console form) and records the server-action request it makes. */
export async function recordAction(page: Page, submit: () => Promise<void>): Promise<RecordedAction> {
  const [request] = await Promise.all([page.waitForRequest((candidate) => candidate.method() === "POST" && "next-action" in candidate.headers()), submit()]);
  const headers = request.headers();
  return {
    url: request.url(),
    headers: Object.fromEntries(Object.entries(headers).filter(([name]) => ["next-action", "content-type", "accept", "next-router-state-tree"].includes(name))),
    body: request.postDataBuffer() ?? Buffer.alloc(0),
  };
}

/** Sends a recorded server-action call with another person's cookies; returns the response text. */
export async function replayAction(page: Page, action: RecordedAction, replace: [string, string][] = []): Promise<{ status: number; text: string }> {
  let body = action.body.toString("latin1");
  for (const [from, to] of replace) body = body.split(from).join(to);
  const response = await page.request.fetch(action.url, {
    method: "POST",
    headers: { ...action.headers, origin: new URL(action.url).origin },
    data: Buffer.from(body, "latin1"),
    maxRedirects: 0,
  });
  return { status: response.status(), text: await response.text() };
}

let accountCounter = 0;

/**
 * As a signed-in admin on `page`, creates a console account and lets its holder choose a
 * password on first sign-in (in a fresh context of `browser`). Returns the chosen password.
 */
export async function createAccountThroughConsole(
  page: Page,
  browser: Browser,
  role: "ADMIN" | "SUPPORT" | "USER",
  email = `person${Date.now()}-${++accountCounter}@e2e.test`,
): Promise<{ email: string; password: string }> {
  await page.goto("/accounts");
  const form = page.locator("form", { has: page.getByRole("button", { name: "Create account" }) });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption(role);
  await form.getByRole("button", { name: "Create account" }).click();
  const oneTime = ((await page.getByTestId("one-time-password").textContent()) ?? "").trim();
  expect(oneTime).toMatch(/^[A-Za-z0-9]{20}$/);

  const password = `chosen-${oneTime}`;
  const context = await browser.newContext();
  const first = await context.newPage();
  await signIn(first, email, oneTime, /\/profile$/);
  const banner = first.getByRole("alert").filter({ hasText: "one-time password" });
  await expect(banner).toBeVisible();
  await first.getByLabel("Current password").fill(oneTime);
  await first.getByLabel("New password (at least 12 characters)").fill(password);
  await first.getByLabel("New password again").fill(password);
  await first.getByRole("button", { name: "Change password" }).click();
  await expect(first.getByRole("status")).toContainText("Password changed");
  // The first-password banner goes once a password is chosen.
  await expect(banner).toHaveCount(0);
  await first.getByRole("button", { name: "Sign out" }).click();
  await expect(first).toHaveURL(/\/login$/);
  await context.close();
  return { email, password };
}

/** A SUPPORT account, made by the admin through the console, signed in in a browser of its own. */
export async function signedInSupport(browser: Browser): Promise<{ page: Page; email: string }> {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  const support = await createAccountThroughConsole(admin, browser, "SUPPORT");
  await admin.context().close();
  const page = await (await browser.newContext()).newPage();
  await signIn(page, support.email, support.password);
  return { page, email: support.email };
}

/** Starts `npm start` (scripts/start.mjs) on its own port with extra environment, for tests that need other settings. */
export function startServer(port: number, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = "";
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: process.cwd(),
    env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `server-${port}-${Date.now()}.log`);
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    appendFileSync(logFile, chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}
