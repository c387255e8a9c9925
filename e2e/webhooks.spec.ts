import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createLatchkeyClient, LatchkeyApiError, verifyWebhook, type LatchkeyClient, type LatchkeyWebhookEvent } from "@latchkey/client";
import Database from "better-sqlite3";
import { ADMIN, BASE_URL, DATABASE_FILE, createAccountThroughConsole, keyOf, operatorClient, recordAction, replayAction, rowCounts, signIn, signedInSupport, startServer } from "./fixtures";

// Webhooks end to end: endpoints managed over the admin API, deliveries to receivers on this
// machine (the e2e server's LATCHKEY_WEBHOOK_ALLOW admits 127.0.0.1 only), and a server killed
// with SIGKILL between the commit of changes and their delivery.

interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: string; answered: number }[];
  status: number;
  server: Server;
}

async function receiver(status = 204): Promise<Receiver> {
  const self: Receiver = { url: "", received: [], status, server: null as never };
  self.server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const answered = self.status;
      self.received.push({ headers: request.headers, body, answered });
      response.statusCode = answered;
      response.end();
    });
  });
  await new Promise<void>((resolve) => self.server.listen(0, "127.0.0.1", resolve));
  self.url = `http://127.0.0.1:${(self.server.address() as AddressInfo).port}/latchkey`;
  return self;
}

async function expectRefused(call: Promise<unknown>, status: number, code: string): Promise<LatchkeyApiError> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LatchkeyApiError);
  expect((error as LatchkeyApiError).status).toBe(status);
  expect((error as LatchkeyApiError).code).toBe(code);
  return error as LatchkeyApiError;
}

test("an admin adds an endpoint over the API; a revocation arrives signed, the delivery log shows it; private targets, SUPPORT and API keys are refused", async ({ browser }) => {
  const hooks = await receiver();
  try {
    const operator = await operatorClient();
    const { application } = await operator.createApplication({ name: `hooks-${Date.now()}` });
    const { endpoint, secret } = await operator.createWebhook(application.id, { url: hooks.url, eventTypes: ["session.revoked", "user.logged_out_everywhere"], description: "audit mirror" });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(JSON.stringify(await operator.listWebhooks(application.id))).not.toContain(secret);

    const api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(application.id) });
    const { session } = await api.createSession({ userId: "hook-ada" });
    await api.revokeSession(session.id, { reason: "REVOKED", note: "ticket 4711" });
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(1);
    const event: LatchkeyWebhookEvent = await verifyWebhook(secret, hooks.received[0]!.body, hooks.received[0]!.headers as Record<string, string>);
    expect(event).toMatchObject({ type: "session.revoked", data: { sessionId: session.id, userId: "hook-ada", reason: "REVOKED", note: "ticket 4711", appId: application.id } });

    const [delivery] = (await operator.listWebhookDeliveries(application.id, endpoint.id)).items;
    expect(delivery).toMatchObject({ type: "session.revoked", status: "DELIVERED", attempts: 1, attemptLog: [{ status: 204, error: null }] });

    // A test event, and a resend of the delivery, arrive too.
    await operator.testWebhook(application.id, endpoint.id);
    await operator.resendWebhookDelivery(application.id, delivery!.id);
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(3);
    expect(hooks.received.slice(1).map((item) => (JSON.parse(item.body) as { type: string }).type).sort()).toEqual(["session.revoked", "webhook.test"]);

    // A rotated secret: deliveries verify with the new one and, during the overlap, the old one.
    const rotated = await operator.rotateWebhookSecret(application.id, endpoint.id, { overlapSeconds: 3600 });
    await api.createSession({ userId: "hook-ada" });
    await api.revokeUserSessions("hook-ada", { note: "again" });
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(5);
    const latest = hooks.received.slice(3);
    for (const item of latest) for (const each of [rotated.secret, secret]) await verifyWebhook(each, item.body, item.headers as Record<string, string>);
    const types = await Promise.all(latest.map(async (item) => (await verifyWebhook(rotated.secret, item.body, item.headers as Record<string, string>)).type));
    expect(types.sort()).toEqual(["session.revoked", "user.logged_out_everywhere"]);

    // Targets inside the network are refused, whatever the spelling (this server admits 127.0.0.1 itself only, for the receivers).
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/hooks", "http://127.0.0.2:9/hooks", "http://[::1]/hooks", "ftp://example.com/x"]) {
      const refused = await expectRefused(operator.createWebhook(application.id, { url }), 400, "VALIDATION_FAILED");
      expect(refused.message, url).toMatch(/url/);
    }
    await expectRefused(operator.createWebhook(application.id, { url: hooks.url, eventTypes: ["session.touched" as never] }), 400, "VALIDATION_FAILED");
    await expectRefused(operator.getWebhook(application.id, "whe_nope"), 404, "WEBHOOK_NOT_FOUND");
    await expectRefused(operator.listWebhooks("no-such-app"), 404, "APP_NOT_FOUND");
    // An application's own key manages no endpoints, not even its own application's; nor does SUPPORT.
    await expectRefused(api.listWebhooks(application.id), 403, "FORBIDDEN");
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin);
    const support = await createAccountThroughConsole(admin, browser, "SUPPORT");
    await admin.context().close();
    const { token } = await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" }).createConsoleSession(support);
    const asSupport = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: token });
    await expectRefused(asSupport.listWebhooks(application.id), 403, "FORBIDDEN");
    await expectRefused(asSupport.createWebhook(application.id, { url: hooks.url }), 403, "FORBIDDEN");
    expect((await operator.listWebhooks(application.id)).items).toHaveLength(1);
  } finally {
    hooks.server.close();
  }
});

test("SIGKILL between commit and delivery: after a restart every event of every acknowledged change arrives, and none twice", async () => {
  test.setTimeout(180_000);
  const port = 3240;
  const dataDir = path.join(tmpdir(), `latchkey-webhook-crash-${port}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const env = {
    LATCHKEY_DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "latchkey.db")}`,
    LATCHKEY_ADMIN_EMAIL: ADMIN.email,
    LATCHKEY_ADMIN_PASSWORD: ADMIN.password,
    NEXTAUTH_URL: `http://localhost:${port}`,
    LATCHKEY_WEBHOOK_ALLOW: "127.0.0.1/32",
    LATCHKEY_WEBHOOK_RETRY_BASE: "1s",
  };
  const baseUrl = `http://localhost:${port}`;
  const hooks = await receiver(503);
  let server = startServer(port, env);
  try {
    await expect.poll(() => server.output().includes("listening on port"), { timeout: 60_000 }).toBe(true);
    const { token } = await createLatchkeyClient({ baseUrl, apiKey: "" }).createConsoleSession(ADMIN);
    const operator = createLatchkeyClient({ baseUrl, apiKey: token });
    const { application } = await operator.createApplication({ name: "crash" });
    await operator.createWebhook(application.id, { url: hooks.url, eventTypes: ["session.created", "session.revoked"] });
    const key = (
      JSON.parse(
        execFileSync(process.execPath, ["--import", "tsx", "scripts/api-key.ts", "create", "--app", application.id, "--name", "crash", "--scopes", "sessions:read,sessions:write", "--json"], {
          env: { ...process.env, ...env },
          encoding: "utf8",
        }),
      ) as { key: string }
    ).key;
    const api: LatchkeyClient = createLatchkeyClient({ baseUrl, apiKey: key });

    // Changes the server acknowledged, while the receiver is not taking anything yet.
    const created: string[] = [];
    const revoked: string[] = [];
    for (let i = 0; i < 60; i++) {
      const { session } = await api.createSession({ userId: `crash-${i % 7}` });
      created.push(session.id);
      if (i % 3 === 0) {
        await api.revokeSession(session.id);
        revoked.push(session.id);
      }
    }
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBeGreaterThan(0);
    server.child.kill("SIGKILL");
    await server.exited;
    console.info(`webhooks crash test: acknowledged ${created.length} creates and ${revoked.length} revocations; ${hooks.received.length} attempts refused (503) before SIGKILL`);

    hooks.status = 200;
    server = startServer(port, env);
    await expect.poll(() => server.output().includes("listening on port"), { timeout: 60_000 }).toBe(true);
    const delivered = () => hooks.received.filter((item) => item.answered === 200).map((item) => JSON.parse(item.body) as LatchkeyWebhookEvent);
    await expect
      .poll(() => delivered().length, { timeout: 60_000, intervals: [500] })
      .toBeGreaterThanOrEqual(created.length + revoked.length);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // anything more would arrive now
    const events = delivered();
    const ids = hooks.received.filter((item) => item.answered === 200).map((item) => item.headers["webhook-id"]);
    console.info(`webhooks crash test: after the restart ${events.length} delivered, ${new Set(ids).size} distinct`);
    expect(new Set(events.filter((event) => event.type === "session.created").map((event) => event.data.sessionId))).toEqual(new Set(created));
    expect(new Set(events.filter((event) => event.type === "session.revoked").map((event) => event.data.sessionId))).toEqual(new Set(revoked));
    expect(ids).toHaveLength(new Set(ids).size);
    // In order per session: each revoked session's creation came first.
    for (const id of revoked) {
      const order = events.filter((event) => event.data.sessionId === id).map((event) => event.type);
      expect(order, id).toEqual(["session.created", "session.revoked"]);
    }
  } finally {
    server.child.kill("SIGKILL");
    await server.exited;
    hooks.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Reads Server-Sent Events from `response` until `count` events came or `ms` passed. */
async function readEvents(response: Response, count: number, ms = 15_000): Promise<{ id: string; event: string; data: LatchkeyWebhookEvent }[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { id: string; event: string; data: LatchkeyWebhookEvent }[] = [];
  let buffer = "";
  const deadline = Date.now() + ms;
  while (events.length < count && Date.now() < deadline) {
    const next = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(0, deadline - Date.now())))]);
    if (!next || next.done) break;
    buffer += decoder.decode(next.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(block.split("\n").filter((line) => !line.startsWith(":")).map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
      if (fields.data) events.push({ id: fields.id!, event: fields.event!, data: JSON.parse(fields.data) as LatchkeyWebhookEvent });
    }
  }
  await reader.cancel();
  return events;
}

test("the live stream: an application's key reads its own events as they happen, in order, and resumes with Last-Event-ID; bad input is a 400", async () => {
  const operator = await operatorClient();
  const [mine, theirs] = [await operator.createApplication({ name: `stream-a-${Date.now()}` }), await operator.createApplication({ name: `stream-b-${Date.now()}` })];
  const key = keyOf(mine.application.id);
  const api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: key });
  const other = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(theirs.application.id) });
  const open = (headers: Record<string, string> = {}, query = "") => fetch(`${BASE_URL}/api/v1/events${query}`, { headers: { authorization: `Bearer ${key}`, ...headers } });

  const live = await open();
  expect(live.status).toBe(200);
  expect(live.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reading = readEvents(live, 5);
  const { session } = await api.createSession({ userId: "stream-ada" });
  await other.createSession({ userId: "stream-bob" });
  await api.revokeSession(session.id, { note: "ticket 4711" });
  await api.createSession({ userId: "stream-ada" });
  await api.revokeUserSessions("stream-ada");
  const events = await reading;
  expect(events.map((event) => event.event)).toEqual(["session.created", "session.revoked", "session.created", "session.revoked", "user.logged_out_everywhere"]);
  expect(events[1]!.data).toMatchObject({ type: "session.revoked", data: { sessionId: session.id, note: "ticket 4711", appId: mine.application.id } });
  expect(events.every((event) => event.data.data.appId === mine.application.id)).toBe(true);

  // Resumed after the first event: the four after it, again.
  const resumed = await readEvents(await open({ "last-event-id": events[0]!.id }), 4);
  expect(resumed.map((event) => event.id)).toEqual(events.slice(1).map((event) => event.id));
  const filtered = await readEvents(await open({}, `?after=${events[0]!.id}&types=user.logged_out_everywhere`), 1);
  expect(filtered.map((event) => event.event)).toEqual(["user.logged_out_everywhere"]);

  for (const [headers, query] of [[{ "last-event-id": "yesterday" }, ""], [{}, "?after=-1"], [{}, "?types=Session.Created"], [{}, "?since=1"]] as const) {
    const refused = await open(headers, query);
    expect(refused.status, JSON.stringify([headers, query])).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED");
  }
  expect((await fetch(`${BASE_URL}/api/v1/events`)).status).toBe(401);

  // A console account streams the application its Latchkey-App header names, and must name one.
  const { token } = await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" }).createConsoleSession(ADMIN);
  const asOperator = (headers: Record<string, string>) => fetch(`${BASE_URL}/api/v1/events?after=${events[0]!.id}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  expect((await asOperator({})).status).toBe(400);
  const operatorEvents = await readEvents(await asOperator({ "latchkey-app": mine.application.name }), 4);
  expect(operatorEvents.map((event) => event.id)).toEqual(events.slice(1).map((event) => event.id));
});

test("the console: an admin adds an endpoint (the secret shown once), sees deliveries in its log, resends one, sends a test event; a disabled endpoint is a banner", async ({ browser }) => {
  // Four deliveries through the dispatcher, waited for in the browser: 22 s on a slow two-core machine.
  test.setTimeout(60_000);
  const hooks = await receiver();
  try {
    const operator = await operatorClient();
    const { application } = await operator.createApplication({ name: `console-hooks-${Date.now()}` });
    const page = await (await browser.newContext()).newPage();
    await signIn(page);
    await page.goto(`/applications/${encodeURIComponent(application.id)}`);
    await page.getByRole("link", { name: "webhooks" }).click();
    await expect(page.getByRole("heading", { name: `Webhooks of ${application.name}` })).toBeVisible();

    const form = page.getByRole("form", { name: "Add an endpoint" });
    await form.getByLabel("URL").fill("http://169.254.169.254/latest/meta-data/");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    await expect(form.getByRole("alert")).toContainText("private, loopback, link-local or reserved");
    await form.getByLabel("URL").fill(hooks.url);
    await form.getByLabel("session.revoked").check();
    const added = await recordAction(page, () => form.getByRole("button", { name: "Add endpoint" }).click());
    const secret = await form.getByTestId("webhook-secret").textContent();
    expect(secret).toMatch(/^whsec_/);
    await page.reload();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    expect(await page.content()).not.toContain(secret!);

    const api = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: keyOf(application.id) });
    const { session } = await api.createSession({ userId: "console-hook" });
    await api.revokeSession(session.id, { note: "ticket 4711" });
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(1);
    await verifyWebhook(secret!, hooks.received[0]!.body, hooks.received[0]!.headers as Record<string, string>);

    await page.getByRole("link", { name: "Delivery log" }).click();
    const row = page.getByRole("table", { name: "Deliveries" }).locator("tbody tr").first();
    await expect(row).toContainText("session.revoked");
    await expect(row.getByTestId("delivery-status")).toHaveText("delivered");
    await expect(row.getByTestId("delivery-last-attempt")).toContainText("204 in");
    await row.getByRole("button", { name: "Resend" }).click();
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(2);
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(3);
    await page.reload();
    await expect(page.getByRole("table", { name: "Deliveries" }).locator("tbody tr").first()).toContainText("webhook.test");

    // The same action, replayed by a SUPPORT account, or by the admin naming the console's own
    // application: refused, and no row anywhere changes.
    const { page: support } = await signedInSupport(browser);
    const before = rowCounts();
    expect((await replayAction(support, added)).text).toContain("Your role does not allow this action.");
    expect((await replayAction(page, added, [[application.id, "console"]])).text).toContain("No such application.");
    expect(rowCounts()).toEqual(before);
    await support.context().close();

    await page.getByRole("button", { name: "Disable" }).click();
    await expect(page.getByRole("status").filter({ hasText: "is disabled" })).toBeVisible();
    await page.goto(`/applications/${encodeURIComponent(application.id)}/webhooks`);
    await expect(page.getByTestId("webhooks-disabled-banner")).toContainText(`${hooks.url} (disabled by hand)`);
    await page.goto(`/applications/${encodeURIComponent(application.id)}`);
    await expect(page.getByRole("alert").filter({ hasText: "webhook endpoint is disabled" })).toBeVisible();
    await page.context().close();
  } finally {
    hooks.server.close();
  }
});

test("the CLI: an admin adds an endpoint (the secret printed once), sends a test event, reads the delivery log, disables it; a private URL is refused", async () => {
  const hooks = await receiver();
  const config = mkdtempSync(path.join(tmpdir(), "latchkey-cli-hooks-"));
  const cli = (args: string[], stdin = "") =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(process.cwd(), "bin", "latchkey.mjs"), ...args], {
        env: { ...process.env, HOME: config, LATCHKEY_CONFIG_DIR: path.join(config, "latchkey"), LATCHKEY_URL: "", LATCHKEY_API_KEY: "" },
        stdio: "pipe",
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin);
    });
  try {
    const { application } = await (await operatorClient()).createApplication({ name: `cli-hooks-${Date.now()}` });
    expect((await cli(["login", "--url", BASE_URL, "--email", ADMIN.email], `${ADMIN.password}\n`)).code).toBe(0);
    const refused = await cli(["webhooks", "add", application.id, "http://10.0.0.5/hooks"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("private, loopback, link-local or reserved");
    const added = await cli(["webhooks", "add", application.id, hooks.url, "--event", "session.revoked", "--json"]);
    expect(added.code, added.stderr).toBe(0);
    const { endpoint, secret } = JSON.parse(added.stdout) as { endpoint: { id: string }; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const listed = await cli(["webhooks", "list", application.id]);
    expect(listed.stdout).toContain(hooks.url);
    expect(listed.stdout).not.toContain(secret);
    expect((await cli(["webhooks", "test", application.id, endpoint.id])).stdout).toMatch(/^Test event queued/);
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(1);
    await verifyWebhook(secret, hooks.received[0]!.body, hooks.received[0]!.headers as Record<string, string>);
    await expect.poll(async () => (await cli(["webhooks", "deliveries", application.id, endpoint.id])).stdout, { timeout: 10_000 }).toMatch(/webhook\.test\s+delivered\s+1\s+204 in \d+ ms/);
    expect((await cli(["webhooks", "disable", application.id, endpoint.id])).stdout).toContain("is disabled (disabled by hand)");
  } finally {
    hooks.server.close();
    rmSync(config, { recursive: true, force: true });
  }
});

test("application B's path reaches nothing of application A's webhooks: endpoints and deliveries answer 404 and no row changes", async () => {
  const hooks = await receiver();
  try {
    const operator = await operatorClient();
    const [a, b] = [await operator.createApplication({ name: `iso-hooks-a-${Date.now()}` }), await operator.createApplication({ name: `iso-hooks-b-${Date.now()}` })];
    const { endpoint } = await operator.createWebhook(a.application.id, { url: hooks.url });
    const { delivery } = await operator.testWebhook(a.application.id, endpoint.id);
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(1);
    // The attempt is recorded after the receiver has answered: counted rows wait for it.
    await expect.poll(async () => (await operator.listWebhookDeliveries(a.application.id, endpoint.id)).items[0]?.status, { timeout: 10_000 }).toBe("DELIVERED");
    const tables = () => {
      const db = new Database(DATABASE_FILE, { readonly: true, fileMustExist: true });
      try {
        return ["WebhookEndpoint", "WebhookDelivery", "WebhookAttempt", "AuditEvent"].map((table) => (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n);
      } finally {
        db.close();
      }
    };
    const before = tables();
    const other = b.application.id;
    await expectRefused(operator.getWebhook(other, endpoint.id), 404, "WEBHOOK_NOT_FOUND");
    await expectRefused(operator.updateWebhook(other, endpoint.id, { disabled: true }), 404, "WEBHOOK_NOT_FOUND");
    await expectRefused(operator.rotateWebhookSecret(other, endpoint.id), 404, "WEBHOOK_NOT_FOUND");
    await expectRefused(operator.testWebhook(other, endpoint.id), 404, "WEBHOOK_NOT_FOUND");
    await expectRefused(operator.listWebhookDeliveries(other, endpoint.id), 404, "WEBHOOK_NOT_FOUND");
    await expectRefused(operator.resendWebhookDelivery(other, delivery.id), 404, "WEBHOOK_NOT_FOUND");
    await expectRefused(operator.deleteWebhook(other, endpoint.id), 404, "WEBHOOK_NOT_FOUND");
    expect((await operator.listWebhooks(other)).items).toEqual([]);
    expect(tables()).toEqual(before);
    expect((await operator.getWebhook(a.application.id, endpoint.id)).endpoint.disabledAt).toBeNull();
    expect(hooks.received).toHaveLength(1);
  } finally {
    hooks.server.close();
  }
});
