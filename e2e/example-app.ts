import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { BASE_URL } from "./fixtures";

/** examples/next-app: a next-auth app whose sessions live in Latchkey. */
export const EXAMPLE_DIR = path.join(process.cwd(), "examples", "next-app");

/** Creates the example's tables (users, accounts, sign-in links) in a SQLite file, as its `npm start` does. */
export function pushExampleSchema(databaseFile: string): void {
  execFileSync(process.execPath, [path.join("..", "..", "scripts", "prisma.mjs"), "db", "push", "--skip-generate"], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, DATABASE_URL: `file:${databaseFile}` },
    stdio: "pipe",
  });
}

export interface ExampleApp {
  url: string;
  databaseFile: string;
  output: () => string;
  stop: () => Promise<void>;
  /** The sign-in link the app "emailed" to `email` last. */
  lastLinkTo: (email: string) => string;
}

/** Builds the example if it has no build yet (npm test builds it first), and serves it with a fresh database and the given key. */
export async function startExampleApp(port: number, apiKey: string, latchkeyUrl = BASE_URL): Promise<ExampleApp> {
  if (!existsSync(path.join(EXAMPLE_DIR, ".next", "BUILD_ID"))) {
    execFileSync("npm", ["run", "build"], { cwd: EXAMPLE_DIR, stdio: "pipe", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  }
  const dataDir = path.join(tmpdir(), `latchkey-example-${port}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const databaseFile = path.join(dataDir, "app.db");
  const mailbox = path.join(dataDir, "mailbox.jsonl");
  pushExampleSchema(databaseFile);
  const url = `http://localhost:${port}`;
  let output = "";
  const child = spawn(path.join(process.cwd(), "node_modules", ".bin", "next"), ["start", "-p", String(port)], {
    cwd: EXAMPLE_DIR,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      LATCHKEY_URL: latchkeyUrl,
      LATCHKEY_API_KEY: apiKey,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: "example-app-secret-for-the-e2e-suite-only",
      DATABASE_URL: `file:${databaseFile}`,
      EXAMPLE_MAILBOX: mailbox,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await expect(async () => {
    const response = await fetch(`${url}/signin`);
    expect(response.status).toBe(200);
  }).toPass({ timeout: 30_000 });
  return {
    url,
    databaseFile,
    output: () => output,
    async stop() {
      // `next start` closes gracefully on SIGTERM, waiting on the browser's open connections; on a
      // busy machine that has taken longer than a test's whole timeout.
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(kill);
      rmSync(dataDir, { recursive: true, force: true });
    },
    lastLinkTo(email) {
      const lines = existsSync(mailbox) ? readFileSync(mailbox, "utf8").trim().split("\n") : [];
      const sent = lines.map((line) => JSON.parse(line) as { to: string; url: string }).filter((mail) => mail.to === email);
      if (sent.length === 0) throw new Error(`no sign-in link was sent to ${email}`);
      return sent.at(-1)!.url;
    },
  };
}

/** Signs `email` in to the example app the way a person does: the form, then the link from the email. */
export async function signInToExample(page: Page, app: ExampleApp, email: string): Promise<void> {
  await page.goto(`${app.url}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("status")).toHaveText("Check your email: a sign-in link is on its way.");
  await page.goto(app.lastLinkTo(email));
  await expect(page).toHaveURL(`${app.url}/devices`);
  await expect(page.getByRole("heading", { name: "Your devices" })).toBeVisible();
}
