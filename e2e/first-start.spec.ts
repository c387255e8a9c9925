import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startServer } from "./fixtures";

// What a new user does: `npm start` on an empty data folder, then sign in with the printed
// credentials. (The build already exists here; `npm start` builds it first on a fresh clone.)

const PORT = 3101;

test("npm start on an empty data folder creates an admin whose printed password signs in once, to choose their own", async ({ browser }) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-first-start-"));
  const server = startServer(PORT, { LATCHKEY_DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, "latchkey.db")}` });
  try {
    await expect.poll(() => /password: (\S+)/.exec(server.output())?.[1], { timeout: 60_000 }).toBeTruthy();
    const email = /email: +(\S+)/.exec(server.output())![1]!;
    const password = /password: (\S+)/.exec(server.output())![1]!;
    expect(email).toBe("admin@latchkey.local");
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);

    const context = await browser.newContext({ baseURL: `http://localhost:${PORT}` });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // A printed password works once: its owner chooses their own before anything else.
    await expect(page).toHaveURL(/\/profile$/);
    await page.goto("/overview");
    await expect(page).toHaveURL(/\/profile$/);
    const chosen = `chosen-${password}`;
    await page.getByLabel("Current password").fill(password);
    await page.getByLabel("New password (at least 12 characters)").fill(chosen);
    await page.getByLabel("New password again").fill(chosen);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("status")).toContainText("Password changed");
    await page.goto("/overview");
    await expect(page).toHaveURL(/\/overview$/);
    await page.goto("/sessions");
    await expect(page.locator("tr", { hasText: "this session" })).toHaveCount(1);
    await context.close();
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a nonsense timeout stops the server at start with a message naming it", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-bad-config-"));
  const server = startServer(PORT, {
    LATCHKEY_DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "latchkey.db")}`,
    LATCHKEY_IDLE_TIMEOUT: "2d",
    LATCHKEY_ABSOLUTE_TIMEOUT: "1d",
  });
  try {
    const code = await Promise.race([server.exited, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 30_000))]);
    expect(code).not.toBe("running");
    expect(code).not.toBe(0);
    expect(server.output()).toContain("latchkey: cannot start");
    expect(server.output()).toContain("idleTimeoutSeconds (172800) must not exceed absoluteTimeoutSeconds (86400)");
  } finally {
    server.child.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }
});
