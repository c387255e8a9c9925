import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { readServiceSession } from "@latchkey/client";
import { BASE_URL, apiKeys, client, signIn } from "./fixtures";

test("an admin starts a service session in the console; it works once handed over as LATCHKEY_SESSION, is listed as a service session, and is revoked like any other", async ({ page }) => {
  await signIn(page);
  const personId = `delegator-${Date.now()}`;
  await client("all").createSession({ userId: personId });
  await page.goto("/api-keys");
  const form = page.getByRole("form", { name: "New service session" });
  // The person it acts for is a user of the default application (other specs add applications).
  await form.getByLabel("Application").selectOption({ label: "default" });
  await form.getByLabel("Client name").fill("nightly-report");
  await form.getByLabel(/Scopes/).fill("reports:read, exports:write");
  await form.getByLabel(/Lifetime/).fill("30m");
  await form.getByLabel(/Acting for/).fill(personId);
  await form.getByRole("button", { name: "Start service session" }).click();
  const shown = (await page.getByTestId("new-service-session").textContent())!;
  expect(shown).toMatch(/^LATCHKEY_SESSION=lks_\S+@http:\/\/localhost:\d+$/);
  const { token, url } = readServiceSession(shown.slice("LATCHKEY_SESSION=".length));
  expect(url).toBe(BASE_URL);

  const resolved = await client("read").resolveSession(token);
  expect(resolved).toMatchObject({ authenticated: true, kind: "service", roles: ["reports:read", "exports:write"], user: { id: "service:nightly-report" } });
  expect(resolved.session!.metadata).toMatchObject({ client: "nightly-report", delegatedBy: personId });
  expect(new Date(resolved.session!.absoluteExpiresAt).getTime() - new Date(resolved.session!.createdAt).getTime()).toBe(30 * 60_000);

  await page.goto("/sessions?kind=service&user=service%3Anightly-report");
  const row = page.locator(`tr[data-session-id="${resolved.session!.id}"]`);
  await expect(row).toContainText("nightly-report");
  await page.goto(`/sessions/${resolved.session!.id}`);
  const revoke = page.getByRole("form", { name: "Revoke this session" });
  await revoke.getByLabel("Reason or ticket").fill("job retired");
  await revoke.getByRole("button", { name: "Revoke session" }).click();
  await expect(page.locator('[data-field="Status"]')).toHaveText("revoked");
  expect(await client("read").resolveSession(token)).toMatchObject({ authenticated: false, reason: "REVOKED" });
});

test("an API key with the service-sessions scope starts one over the API and the CLI; without it, it is refused", async () => {
  const issued = await client("all").createServiceSession({ client: "ci-deploy", scopes: ["deploy"], ttlSeconds: 600 });
  expect(issued.environment).toBe(`${issued.token}@${BASE_URL}`);
  expect(issued.session).toMatchObject({ kind: "service", userId: "service:ci-deploy", roles: ["deploy"] });
  const refused = await client("write").createServiceSession({ client: "ci-deploy", scopes: ["deploy"] }).catch((error: unknown) => error);
  expect(refused).toMatchObject({ status: 403, code: "FORBIDDEN", details: { requiredScope: "service-sessions" } });

  const home = mkdtempSync(path.join(tmpdir(), "latchkey-cli-"));
  const env = { ...process.env, HOME: home, LATCHKEY_CONFIG_DIR: "", LATCHKEY_URL: BASE_URL, LATCHKEY_API_KEY: apiKeys().all };
  const run = spawnSync(process.execPath, [path.join("bin", "latchkey.mjs"), "service-session", "create", "--client", "agent-7", "--scope", "tickets:read", "--scope", "tickets:write", "--ttl", "15m"], { env, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  const line = run.stdout.split("\n").find((text) => text.startsWith("LATCHKEY_SESSION="))!;
  const { token } = readServiceSession(line.slice("LATCHKEY_SESSION=".length));
  expect(await client("read").resolveSession(token)).toMatchObject({ authenticated: true, kind: "service", roles: ["tickets:read", "tickets:write"] });
});
