import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, uniqueUser, type TestDatabase } from "../testing/database";
import { sealer } from "../sessions/access-tokens";
import type { FakeClock } from "../sessions/clock";
import { createDispatcher, DEFAULT_RETRY, type Dispatcher, type RetryPolicy } from "./dispatcher";
import { createEndpointManager } from "./endpoints";
import { parseAllowList, type OutboundPolicy, type Resolver } from "./outbound";
import { createWebhookStore } from "./store";

// The dispatcher against a real database and real HTTP receivers on this machine. Receivers are
// reached by names that an injected resolver points at 127.0.0.1, which the allow-list admits.

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  /** The status to answer the n-th request (0-based) with. */
  answer: (n: number) => number;
  server: Server;
}

async function receiver(answer: (n: number) => number = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const self: Receiver = { url: "", received, answer, server: null as never };
  self.server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const n = received.length;
      received.push({ headers: request.headers, body });
      response.statusCode = self.answer(n);
      response.end(self.answer(n) >= 400 ? "receiver not ready" : "ok");
    });
  });
  await new Promise<void>((resolve) => self.server.listen(0, "127.0.0.1", resolve));
  self.url = `http://receiver.test:${(self.server.address() as AddressInfo).port}/hooks`;
  return self;
}

const LOOPBACK: Resolver = async (host) => {
  if (host.endsWith(".test")) return [{ address: "127.0.0.1", family: 4 }];
  if (host === "metadata.internal.example") return [{ address: "169.254.169.254", family: 4 }];
  if (host === "intranet.example") return [{ address: "10.1.2.3", family: 4 }];
  if (host === "public.example") return [{ address: "93.184.215.14", family: 4 }];
  throw new Error(`no such host ${host}`);
};

let db: TestDatabase;
const receivers: Receiver[] = [];
const { seal, open } = sealer("a test secret for webhook sealing", "latchkey webhook secrets");
const outbound: OutboundPolicy = { allow: parseAllowList("127.0.0.1/32"), resolver: LOOPBACK, timeoutMs: 2_000, maxResponseBytes: 65_536 };

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const r of receivers) r.server.close();
  await db.drop();
});

function setup(retry: RetryPolicy = DEFAULT_RETRY) {
  const testEngine = createTestEngine(db, {}, new Date(Date.now()));
  const store = createWebhookStore(db.database);
  const manager = createEndpointManager({ store, clock: testEngine.clock, seal, outbound });
  const dispatcher = (holder: string, batchSize = 500): Dispatcher =>
    createDispatcher({
      store,
      leases: { acquire: (name, who, ttl) => testEngine.root.acquireLease(name, who, ttl), release: (name, who) => testEngine.root.releaseLease(name, who) },
      clock: testEngine.clock,
      openSecret: open,
      outbound,
      holder,
      retry,
      gapWaitMs: 0,
      batchSize,
      random: () => 0.5,
    });
  return { ...testEngine, store, manager, dispatcher };
}

const ADMIN = { type: "user" as const, id: "op-admin", label: "admin@example.com" };

async function appWithEndpoint(root: ReturnType<typeof setup>["root"], manager: ReturnType<typeof setup>["manager"], url: string, eventTypes: string[] = []) {
  const app = await root.createApplication({ name: `hooks-${uniqueUser("app")}` }, ADMIN);
  const { endpoint, secret } = await manager.create(app.id, { url, eventTypes }, ADMIN);
  return { app, endpoint, secret, engine: root.app(app.id) };
}

/** Ticks until `done`, moving the clock on `stepMs` between ticks. */
async function drain(dispatcher: Dispatcher, clock: FakeClock, done: () => boolean, stepMs = 0, ticks = 60): Promise<void> {
  for (let i = 0; i < ticks && !done(); i++) {
    await dispatcher.tick();
    if (!done()) clock.advance(stepMs);
  }
  expect(done()).toBe(true);
}


describe("webhook deliveries", () => {
  it("every committed change of the application arrives once, signed as Standard Webhooks specify, in order per session", async () => {
    const { root, manager, dispatcher, clock } = setup();
    const hooks = await receiver();
    receivers.push(hooks);
    const d = dispatcher("instance-a");
    await d.tick(); // starts the reader at the end of the log
    const { engine, secret, app } = await appWithEndpoint(root, manager, hooks.url);
    const other = await appWithEndpoint(root, manager, hooks.url.replace("/hooks", "/other"), ["session.created"]);

    const userId = uniqueUser("ada");
    const first = await engine.createSession({ userId });
    const rotated = await engine.rotateSession(first.token);
    await engine.revokeSession(rotated.session.id, { reason: "REVOKED", note: "ticket 4711" });
    await engine.createSession({ userId });
    await engine.revokeUserSessions(userId, { note: "lost phone" }, ADMIN);
    await other.engine.createSession({ userId: "someone" });

    await drain(d, clock, () => hooks.received.length >= 8);
    const ours = hooks.received.filter((item) => (JSON.parse(item.body) as { data: { appId: string } }).data.appId === app.id);
    const bodies = ours.map((item) => JSON.parse(item.body) as { type: string; data: Record<string, unknown> });
    const of = (sessionId: string | null) => bodies.filter((body) => body.data.sessionId === sessionId).map((body) => body.type);
    // In order per session (sessions' events interleave: each session is its own line).
    expect(of(first.session.id)).toEqual(["session.created", "session.rotated"]);
    expect(of(rotated.session.id)).toEqual(["session.created", "session.revoked"]);
    expect(bodies.filter((body) => body.data.sessionId === null).map((body) => body.type)).toEqual(["user.logged_out_everywhere"]);
    expect(bodies.map((body) => body.type).sort()).toEqual(
      ["session.created", "session.rotated", "session.created", "session.revoked", "session.created", "session.revoked", "user.logged_out_everywhere"].sort(),
    );
    const webhook = new Webhook(secret);
    for (const item of ours) {
      expect(() => webhook.verify(item.body, item.headers as Record<string, string>)).not.toThrow();
      expect(item.headers["webhook-id"]).toMatch(/^msg_\d+$/);
    }
    const revoked = bodies.find((body) => body.type === "session.revoked" && body.data.sessionId === rotated.session.id)!;
    expect(revoked.data).toMatchObject({ sessionId: rotated.session.id, userId, reason: "REVOKED", note: "ticket 4711" });
    const everywhere = bodies.find((body) => body.type === "user.logged_out_everywhere")!;
    expect(everywhere.data).toMatchObject({ userId, reason: "LOGGED_OUT_EVERYWHERE", note: "lost phone", count: 1, actor: { type: "user", label: "admin@example.com" } });
    // The other application's endpoint took only its own application's session.created.
    const theirs = hooks.received.filter((item) => (JSON.parse(item.body) as { data: { appId: string } }).data.appId === other.app.id);
    expect(theirs.map((item) => (JSON.parse(item.body) as { type: string }).type)).toEqual(["session.created"]);
    expect(() => new Webhook(secret).verify(theirs[0]!.body, theirs[0]!.headers as Record<string, string>)).toThrow();

    // Nothing more to send: another round sends nothing again.
    const before = hooks.received.length;
    await d.tick();
    expect(hooks.received.length).toBe(before);
  });

  it("a receiver answering 500 for a while, then 200, receives everything, in order per session, with each attempt logged", async () => {
    const { root, manager, dispatcher, clock } = setup({ ...DEFAULT_RETRY, baseMs: 1_000, maxMs: 8_000 });
    const hooks = await receiver((n) => (n < 5 ? 500 : 200));
    receivers.push(hooks);
    const d = dispatcher("instance-a");
    await d.tick();
    const { engine, endpoint, app } = await appWithEndpoint(root, manager, hooks.url);
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await engine.createSession({ userId: uniqueUser("u") }));
    for (const issued of sessions) await engine.revokeSession(issued.session.id);

    await drain(d, clock, () => new Set(hooks.received.filter((item) => item.headers["webhook-id"]).map((item) => `${item.headers["webhook-id"]}`)).size >= 6 && hooks.received.length >= 11, 10_000);
    const delivered = hooks.received.slice(5).map((item) => JSON.parse(item.body) as { type: string; data: { sessionId: string } });
    for (const issued of sessions) {
      expect(delivered.filter((event) => event.data.sessionId === issued.session.id).map((event) => event.type)).toEqual(["session.created", "session.revoked"]);
    }
    const log = await manager.deliveries(app.id, endpoint.id);
    expect(log.every((delivery) => delivery.status === "DELIVERED")).toBe(true);
    expect(log.reduce((sum, delivery) => sum + delivery.attemptLog.length, 0)).toBe(hooks.received.length);
    const retried = log.find((delivery) => delivery.attempts > 1)!;
    expect(retried.attemptLog.at(-1)).toMatchObject({ status: 500, response: "receiver not ready" });
  });

  it("two instances dispatching at once deliver each event exactly once", async () => {
    const { root, manager, dispatcher, clock } = setup();
    const hooks = await receiver();
    receivers.push(hooks);
    const [a, b] = [dispatcher("instance-a"), dispatcher("instance-b")];
    await a.tick();
    const { engine } = await appWithEndpoint(root, manager, hooks.url);
    for (let i = 0; i < 20; i++) await engine.createSession({ userId: uniqueUser("twin") });
    for (let i = 0; i < 10; i++) await Promise.all([a.tick(), b.tick()]);
    await drain(a, clock, () => hooks.received.length >= 20);
    const ids = hooks.received.map((item) => item.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(20);
    expect(ids).toHaveLength(20);
  });

  it("a delivery failing for 24 hours is given up and the next of its session goes; an endpoint failing for 3 days is disabled, with an audit event", async () => {
    const { root, manager, dispatcher, clock, store } = setup({ baseMs: 60_000, maxMs: 3_600_000, giveUpAfterMs: 24 * 3_600_000, disableAfterMs: 3 * 24 * 3_600_000 });
    const hooks = await receiver(() => 503);
    receivers.push(hooks);
    const d = dispatcher("instance-a");
    await d.tick();
    const { engine, endpoint, app } = await appWithEndpoint(root, manager, hooks.url);
    const issued = await engine.createSession({ userId: uniqueUser("down") });
    await engine.revokeSession(issued.session.id);
    // An hour a round; a new sign-in every twelve hours, as an application in use has.
    for (let i = 1; i < 200 && !(await manager.get(app.id, endpoint.id)).disabledAt; i++) {
      await d.tick();
      clock.advance(3_600_000);
      if (i % 12 === 0) await engine.createSession({ userId: uniqueUser("later") });
    }
    const disabled = await manager.get(app.id, endpoint.id);
    expect(disabled.disabledAt).not.toBeNull();
    expect(disabled.disabledReason).toMatch(/^every delivery failed since /);
    const counts = await store.deliveryCounts(endpoint.id);
    expect(counts.FAILED).toBeGreaterThanOrEqual(2);
    expect(counts.DELIVERED).toBeUndefined();
    // The session's revocation was first tried after its creation was given up, never beside it.
    const lines = hooks.received.map((item) => JSON.parse(item.body) as { type: string; data: { sessionId: string } }).map((body, n) => ({ ...body, n }));
    const mine = lines.filter((line) => line.data.sessionId === issued.session.id);
    const lastCreated = mine.filter((line) => line.type === "session.created").at(-1)!.n;
    expect(mine.find((line) => line.type === "session.revoked")!.n).toBeGreaterThan(lastCreated);
    const events = await root.app(app.id).listEvents({ type: "webhook.endpoint_disabled" });
    expect(JSON.stringify(events)).toContain(endpoint.id);
    // Disabled: nothing more is sent.
    const before = hooks.received.length;
    await d.tick();
    expect(hooks.received.length).toBe(before);
  });

  it("deliveries waiting on one application's failing or disabled endpoints hold back no other application's", async () => {
    const { root, manager, dispatcher, clock } = setup({ ...DEFAULT_RETRY, baseMs: 60_000 });
    const failing = await receiver(() => 500);
    const healthy = await receiver();
    receivers.push(failing, healthy);
    const d = dispatcher("instance-a", 5); // reads at most 20 due deliveries a round
    await d.tick();
    const noisy = await appWithEndpoint(root, manager, failing.url);
    const quiet = await appWithEndpoint(root, manager, healthy.url);
    for (let i = 0; i < 40; i++) await noisy.engine.createSession({ userId: `noisy-${i}` });
    await d.tick(); // the noisy ones fail once and back off
    await manager.update(noisy.app.id, noisy.endpoint.id, { disabled: true }, ADMIN);
    const second = await manager.create(noisy.app.id, { url: failing.url.replace("/hooks", "/second") }, ADMIN);
    for (let i = 0; i < 40; i++) await noisy.engine.createSession({ userId: `noisy-again-${i}` });
    await manager.update(noisy.app.id, second.endpoint.id, { disabled: true }, ADMIN);
    clock.advance(120_000); // the first ones are due again, but their endpoint is disabled now
    const { session } = await quiet.engine.createSession({ userId: "quiet" });
    await d.tick();
    expect(healthy.received.map((item) => (JSON.parse(item.body) as { data: { sessionId: string } }).data.sessionId)).toEqual([session.id]);
    await expect(manager.sendTest(noisy.app.id, noisy.endpoint.id, ADMIN)).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("disabled") });
  });
});
