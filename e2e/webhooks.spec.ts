import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createLatchkeyClient, LatchkeyApiError, verifyWebhook, type LatchkeyClient, type LatchkeyWebhookEvent } from "@latchkey/client";
import { ADMIN, BASE_URL, createAccountThroughConsole, keyOf, operatorClient, signIn, startServer } from "./fixtures";

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
