import { readFileSync } from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { LatchkeyApiError } from "@latchkey/client";
import { DATABASE_FILE, client, createAccountThroughConsole, signIn } from "./fixtures";

async function supportPage(browser: Browser): Promise<Page> {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  const support = await createAccountThroughConsole(admin, browser, "SUPPORT");
  const page = await (await browser.newContext()).newPage();
  await signIn(page, support.email, support.password);
  return page;
}

/** The e2e database as bytes, with its write-ahead log. */
function databaseBytes(): string {
  return [DATABASE_FILE, `${DATABASE_FILE}-wal`]
    .map((file) => {
      try {
        return readFileSync(file).toString("latin1");
      } catch {
        return "";
      }
    })
    .join("");
}

test("support pastes a revoked token and reads who revoked it, when and why; the token is kept nowhere", async ({ browser }) => {
  const page = await supportPage(browser);
  const userId = `refused-${Date.now()}`;
  const { token, session } = await client("all").createSession({ userId, userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/125.0" });
  await client("all").revokeUserSessions(userId, { note: "ticket 4711" });

  await page.getByRole("link", { name: "Debugger" }).click();
  const form = page.getByRole("form", { name: "Diagnose a token" });
  await form.getByLabel("Session token").fill(token);
  await form.getByRole("button", { name: "Diagnose token" }).click();
  const diagnosis = page.getByRole("article", { name: "Diagnosis" });
  await expect(diagnosis.getByTestId("verdict")).toHaveText("REVOKED");
  await expect(diagnosis.getByTestId("diagnosis-summary")).toHaveText(
    new RegExp(`^Session ${session.id} of ${userId} was revoked at .+ UTC by API key .+ \\(log out everywhere, ticket 4711\\)\\.$`),
  );
  await expect(diagnosis.locator('[data-evidence="revokedReason"]')).toContainText("LOGGED_OUT_EVERYWHERE");
  // The field is emptied, the address bar never held the token.
  await expect(form.getByLabel("Session token")).toHaveValue("");
  expect(page.url()).not.toContain(token.split(".")[1]!);

  // A malformed paste is a verdict in words, not an error.
  await form.getByLabel("Session token").fill(token.slice(0, 20));
  await form.getByRole("button", { name: "Diagnose token" }).click();
  await expect(diagnosis.getByTestId("verdict")).toHaveText("NOT_A_TOKEN");
  await expect(diagnosis.getByTestId("diagnosis-summary")).toHaveText("Not a Latchkey token: expected two parts separated by a dot, an id and a secret.");

  // Neither the token nor its secret was written anywhere: not in a session, event or refusal.
  const bytes = databaseBytes();
  expect(bytes.length).toBeGreaterThan(10_000);
  expect(bytes).not.toContain(token.split(".")[1]!);
  expect(bytes).not.toContain(token);
});

test("support opens a user whose app requests are refused and sees the refusals and the verdict", async ({ browser }) => {
  const page = await supportPage(browser);
  const userId = `stuck-${Date.now()}`;
  const tokens = [];
  for (let i = 0; i < 2; i++) tokens.push((await client("all").createSession({ userId })).token);
  await client("all").revokeUserSessions(userId, { note: "ticket 99" });
  // The app keeps presenting the tokens, passing its user's address and browser along.
  for (const token of tokens) {
    const result = await client("all").resolveSession(token, { ip: "198.51.100.23", userAgent: "Mozilla/5.0 (iPhone) Safari/604.1" });
    expect(result).toMatchObject({ authenticated: false, reason: "REVOKED", revokedReason: "LOGGED_OUT_EVERYWHERE" });
  }
  // A refresh is refused with 401, saying why and by whom.
  const refused = await client("all").refreshSession(tokens[0]!).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(LatchkeyApiError);
  expect(refused).toMatchObject({ status: 401, code: "SESSION_REVOKED", details: { reason: "REVOKED", revokedReason: "LOGGED_OUT_EVERYWHERE" } });
  expect((refused as LatchkeyApiError).details?.revokedBy).toMatch(/^api_key:/);
  expect((refused as LatchkeyApiError).details?.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

  await page.goto(`/users/default/${userId}`);
  await page.getByRole("link", { name: /Why can.t they sign in\?/ }).click();
  const diagnosis = page.getByRole("article", { name: "Diagnosis" });
  await expect(diagnosis.getByTestId("verdict")).toHaveText("ALL_SESSIONS_ENDED");
  await expect(diagnosis.getByTestId("diagnosis-summary")).toContainText("is refused: all 2 sessions were revoked by API key e2e-all");
  await expect(diagnosis.getByTestId("diagnosis-summary")).toContainText("(log out everywhere, ticket 99)");
  // Refusals are written in batches, about a second after they happen.
  const refusals = diagnosis.getByRole("region", { name: "Refused requests" }).locator("tr[data-refusal-reason]");
  await expect(async () => {
    await page.reload();
    await expect(refusals).toHaveCount(3, { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await expect(refusals.first()).toContainText("REVOKED (log out everywhere)");
  await expect(refusals.filter({ hasText: "198.51.100.23" })).toHaveCount(2);
  await expect(diagnosis.getByRole("region", { name: "Sessions" }).getByTestId("session-status")).toHaveText(["revoked", "revoked"]);

  // The API gives the same diagnosis.
  const viaApi = await client("admin").diagnose({ user: userId });
  expect(viaApi.verdict).toBe("ALL_SESSIONS_ENDED");
  expect(viaApi.refusals).toHaveLength(3);
  const bySession = await client("admin").diagnose({ sessionId: viaApi.sessions[0]!.id });
  expect(bySession).toMatchObject({ subject: "session", verdict: "REVOKED" });
});
