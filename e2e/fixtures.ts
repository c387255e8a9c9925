import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, type Page } from "@playwright/test";
import { createLatchkeyClient, type LatchkeyClient } from "../lib/client";

export const PORT = Number(process.env.E2E_PORT ?? 3100);
export const BASE_URL = `http://localhost:${PORT}`;
/** The e2e server's data folder (scripts/e2e-server.mjs). */
export const DATA_DIR = path.join(tmpdir(), `latchkey-e2e-${PORT}`);
export const DATABASE_FILE = path.join(DATA_DIR, "latchkey.db");
export const KEYS_FILE = path.join(DATA_DIR, "api-keys.json");

export const ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@e2e.test",
  password: process.env.E2E_ADMIN_PASSWORD ?? "correct horse battery staple",
};

/** API keys seeded by global.setup.ts, by what they may do. */
export const KEY_SCOPES = {
  all: ["sessions:read", "sessions:write", "sessions:admin", "oauth-states"],
  read: ["sessions:read"],
  write: ["sessions:write"],
  admin: ["sessions:admin"],
  oauth: ["oauth-states"],
  fuzz: ["sessions:read", "sessions:write", "sessions:admin", "oauth-states"],
  limits: ["sessions:read"],
} as const;
export type KeyName = keyof typeof KEY_SCOPES;

/** Creates one key per entry of KEY_SCOPES with the real CLI, against the e2e server's database. */
export function seedApiKeys(): Record<KeyName, string> {
  const keys = {} as Record<KeyName, string>;
  for (const [name, scopes] of Object.entries(KEY_SCOPES) as [KeyName, readonly string[]][]) {
    const output = execFileSync(
      process.execPath,
      ["--import", "tsx", "scripts/api-key.ts", "create", "--name", `e2e-${name}`, "--scopes", scopes.join(","), "--json"],
      { env: { ...process.env, DATABASE_URL: `file:${DATABASE_FILE}`, LATCHKEY_DATA_DIR: DATA_DIR }, encoding: "utf8" },
    );
    keys[name] = (JSON.parse(output) as { key: string }).key;
  }
  return keys;
}

export function apiKeys(): Record<KeyName, string> {
  return JSON.parse(readFileSync(KEYS_FILE, "utf8")) as Record<KeyName, string>;
}

export function client(key: KeyName = "all"): LatchkeyClient {
  return createLatchkeyClient({ baseUrl: BASE_URL, apiKey: apiKeys()[key] });
}


/** Row counts of every table of the e2e database, read directly from the file. */
export function rowCounts(): Record<string, number> {
  const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
  try {
    const counts: Record<string, number> = {};
    for (const table of ["User", "Session", "SweptSession", "OAuthState", "AuditEvent", "ApiKey"]) {
      counts[table] = (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    return counts;
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

export async function signIn(page: Page, email = ADMIN.email, password = ADMIN.password): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sessions$/);
}
