import { expect, test } from "@playwright/test";
import { BASE_URL, signIn } from "./fixtures";

test("an admin creates an API key (shown once), an app uses it, the admin revokes it and it is refused", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/api-keys$/);

  // Bad input: no scope chosen gives a form message and creates nothing.
  await page.getByLabel("Name", { exact: true }).fill("billing-service");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByText("choose at least one scope")).toBeVisible();
  await expect(page.locator('tr[data-api-key="billing-service"]')).toHaveCount(0);

  await page.getByLabel("Name", { exact: true }).fill("billing-service");
  await page.getByRole("checkbox", { name: /sessions:write/ }).check();
  await page.getByRole("checkbox", { name: /sessions:read/ }).check();
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^lka_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  const row = page.locator('tr[data-api-key="billing-service"]');
  await expect(row.getByTestId("api-key-status")).toHaveText("active");
  await expect(row).toContainText("sessions:read, sessions:write");

  const created = await fetch(`${BASE_URL}/api/v1/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ userId: "from-console-key" }),
  });
  expect(created.status).toBe(201);

  // The key is shown once: a reload shows the list, not the key.
  await page.reload();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(key.split(".")[1]!);

  page.once("dialog", (dialog) => dialog.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByTestId("api-key-status")).toHaveText("revoked");
  const refused = await fetch(`${BASE_URL}/api/v1/sessions`, { headers: { authorization: `Bearer ${key}` } });
  expect(refused.status).toBe(401);
});

test("the API page lists every endpoint with a curl example", async ({ page, request }) => {
  await signIn(page);
  await page.getByRole("link", { name: "API", exact: true }).click();
  await expect(page.getByRole("heading", { name: "HTTP API" })).toBeVisible();
  const document = (await (await request.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
  const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
  expect(operations.length).toBeGreaterThanOrEqual(16);
  for (const operation of operations) {
    const article = page.locator(`article#${operation.operationId}`);
    await expect(article).toBeVisible();
    await expect(article.locator("pre")).toContainText("curl -X");
  }
});
