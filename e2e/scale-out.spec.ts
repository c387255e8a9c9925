import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createLatchkeyClient, type LatchkeyClient } from "@latchkey/client";
import { createScratchDatabase, type ScratchDatabase } from "../lib/testing/scratch-database";
import { privateRedis, type PrivateRedis } from "../lib/testing/redis-server";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { startServer } from "./fixtures";

// Two server processes behind one PostgreSQL and one Redis, as a deployment of several
// instances runs: a revocation through one must reach the other at once, and an outage of
// Redis must never let a revoked session through.

const PORTS = [3104, 3105] as const;
type Server = ReturnType<typeof startServer>;

let database: ScratchDatabase;
let redis: PrivateRedis;
const servers: Server[] = [];
const dataDirs: string[] = [];
const envs: Record<string, string>[] = [];
let clients: [LatchkeyClient, LatchkeyClient];
let key = "";

async function started(server: Server, port: number) {
  await expect
    .poll(
      async () => {
        if (server.child.exitCode !== null) throw new Error(`server on ${port} exited:\n${server.output()}`);
        return fetch(`http://localhost:${port}/api/health`).then((response) => response.status, () => 0);
      },
      { timeout: 60_000 },
    )
    .toBe(200);
}

async function resolve(port: number, token: string) {
  const response = await fetch(`http://localhost:${port}/api/v1/sessions/resolve`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  const body = (await response.json()) as { authenticated: boolean; reason: string | null };
  return { status: response.status, hot: response.headers.get("server-timing")?.startsWith("hot;") ?? false, outcome: body.authenticated ? "authenticated" : body.reason };
}

test.describe.configure({ mode: "serial", timeout: 120_000 });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  database = await createScratchDatabase("postgresql", "latchkey_e2e_scale");
  redis = await privateRedis();
  for (const port of PORTS) {
    const dataDir = mkdtempSync(path.join(tmpdir(), `latchkey-scale-${port}-`));
    dataDirs.push(dataDir);
    envs.push({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      LATCHKEY_DATA_DIR: dataDir,
      NEXTAUTH_SECRET: "scale-out-test-secret-of-at-least-32-characters",
      LATCHKEY_ADMIN_PASSWORD: "correct horse battery staple",
      LATCHKEY_WEBHOOK_ALLOW: "127.0.0.1/32",
      LATCHKEY_WEBHOOK_RETRY_BASE: "1s",
    });
    const server = startServer(port, envs.at(-1)!);
    servers.push(server);
    // One at a time: the first applies the migrations.
    await started(server, port);
  }
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", "scripts/api-key.ts", "create", "--app", "default", "--name", "scale-out", "--scopes", "sessions:read,sessions:write,sessions:admin", "--json"],
    { env: { ...process.env, DATABASE_URL: database.url, LATCHKEY_DATA_DIR: dataDirs[0]! }, encoding: "utf8" },
  );
  key = (JSON.parse(output) as { key: string }).key;
  clients = [
    createLatchkeyClient({ baseUrl: `http://localhost:${PORTS[0]}`, apiKey: key }),
    createLatchkeyClient({ baseUrl: `http://localhost:${PORTS[1]}`, apiKey: key }),
  ];
});

test.afterAll(async () => {
  for (const server of servers) {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  await redis?.stop();
  await database?.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

test("revoked through one instance, the other refuses the token within a second", async () => {
  const [a] = clients;
  const { token, session } = await a.createSession({ userId: "scale-revoke" });
  for (const port of [...PORTS, ...PORTS]) {
    const answer = await resolve(port, token);
    expect(answer).toEqual({ status: 200, hot: true, outcome: "authenticated" });
  }
  await a.revokeSession(session.id, { reason: "REVOKED" });
  const revokedAt = performance.now();
  let delay = -1;
  while (performance.now() - revokedAt < 1_000) {
    if ((await resolve(PORTS[1], token)).outcome === "REVOKED") {
      delay = performance.now() - revokedAt;
      break;
    }
  }
  console.info(`revocation through :${PORTS[0]} refused by :${PORTS[1]} after ${delay.toFixed(1)} ms (one HTTP round trip included)`);
  expect(delay).toBeGreaterThanOrEqual(0);
  expect(delay).toBeLessThan(1_000);
});

test("with Redis stopped mid-run, a session revoked meanwhile is refused by both instances, and resolve keeps answering", async () => {
  const [a, b] = clients;
  const doomed = await a.createSession({ userId: "scale-outage" });
  const live = await a.createSession({ userId: "scale-outage" });
  for (const port of [...PORTS, ...PORTS]) {
    expect((await resolve(port, doomed.token)).outcome).toBe("authenticated");
    expect((await resolve(port, live.token)).outcome).toBe("authenticated");
  }

  // Load on both instances all through the outage.
  const answers: { status: number; outcome: string | null }[] = [];
  let running = true;
  const load = Promise.all(
    PORTS.map(async (port) => {
      while (running) answers.push(await resolve(port, live.token));
    }),
  );

  await redis.stop();
  for (const server of servers) await expect.poll(() => server.output(), { timeout: 5_000 }).toContain("Redis unavailable");
  const duringOutage = answers.length;
  await b.revokeSession(doomed.session.id, { reason: "REVOKED" });
  for (const port of PORTS) expect((await resolve(port, doomed.token)).outcome).toBe("REVOKED");
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(answers.length).toBeGreaterThan(duringOutage);

  await redis.start();
  for (const server of servers) await expect.poll(() => server.output(), { timeout: 10_000 }).toContain("Redis is back");
  running = false;
  await load;
  for (const port of [...PORTS, ...PORTS]) {
    expect((await resolve(port, doomed.token)).outcome).toBe("REVOKED");
    expect((await resolve(port, live.token)).outcome).toBe("authenticated");
  }
  console.info(`${answers.length} resolves across the outage: ${answers.filter((answer) => answer.status === 200 && answer.outcome === "authenticated").length} answered 200 authenticated`);
  expect(answers.every((answer) => answer.status === 200 && answer.outcome === "authenticated")).toBe(true);
});

test("webhooks from two instances: each event is delivered once, in order per session; with one instance killed, the other takes over", async () => {
  test.setTimeout(120_000);
  const received: { headers: IncomingHttpHeaders; body: { type: string; data: { sessionId: string | null } } }[] = [];
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ headers: request.headers, body: JSON.parse(body) as (typeof received)[number]["body"] });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  try {
    const { token } = await createLatchkeyClient({ baseUrl: `http://localhost:${PORTS[0]}`, apiKey: "" }).createConsoleSession({ email: "admin@latchkey.local", password: "correct horse battery staple" });
    const operator = createLatchkeyClient({ baseUrl: `http://localhost:${PORTS[1]}`, apiKey: token });
    await operator.createWebhook("default", { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, eventTypes: ["session.created", "session.revoked"] });

    // Changes through both instances at once.
    const sessions = await Promise.all(Array.from({ length: 40 }, (_, i) => clients[i % 2]!.createSession({ userId: `scale-hook-${i % 5}` })));
    await Promise.all(sessions.map(({ session }, i) => clients[(i + 1) % 2]!.revokeSession(session.id)));
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(80);
    await new Promise((done) => setTimeout(done, 1_500));
    const ids = received.map((item) => item.headers["webhook-id"]);
    expect(ids).toHaveLength(80);
    expect(new Set(ids).size).toBe(80);
    for (const { session } of sessions) {
      expect(received.filter((item) => item.body.data.sessionId === session.id).map((item) => item.body.type)).toEqual(["session.created", "session.revoked"]);
    }

    // One instance gone for good: the other delivers (taking the lease within its 15 s if it did not hold it).
    servers[0]!.child.kill("SIGKILL");
    await servers[0]!.exited;
    const later = await clients[1].createSession({ userId: "scale-hook-after" });
    await expect.poll(() => received.some((item) => item.body.data.sessionId === later.session.id), { timeout: 40_000 }).toBe(true);
  } finally {
    receiver.close();
    if (servers[0]!.child.exitCode !== null || servers[0]!.child.signalCode !== null) {
      servers[0] = startServer(PORTS[0], envs[0]!);
      await started(servers[0], PORTS[0]);
    }
  }
});

// The last two tests leave this machine's address over its limits on both instances.

test("wrong passwords spread across both instances are limited as if there were one", async () => {
  const signIn = (port: number, password: string) =>
    fetch(`http://localhost:${port}/api/v1/console-sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@latchkey.local", password }),
    });
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await signIn(PORTS[i % 2]!, `guess ${i}`)).status);
  expect(statuses).toEqual(Array(10).fill(401));
  // Five guesses on each: counted in one process each, neither would have reached ten.
  for (const port of PORTS) {
    const refused = await signIn(port, "correct horse battery staple");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  }
});

test("with no proxy trusted, a new X-Forwarded-For per request lifts no limit, and X-Forwarded-Proto makes no cookie Secure", async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 26; i++) {
    const response = await fetch(`http://localhost:${PORTS[i % 2]}/api/v1/sessions`, {
      headers: { authorization: "Bearer lka_not_a_key", "x-forwarded-for": `198.51.100.${i + 1}, 203.0.113.${i + 1}` },
    });
    statuses.push(response.status);
  }
  // 20 failed authentications a minute per address (the default), counted across both
  // instances: each refuses from its next failure past the shared count.
  expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
  expect(statuses.slice(22)).toEqual(Array(4).fill(429));

  const csrf = await fetch(`http://localhost:${PORTS[0]}/api/auth/csrf`, { headers: { "x-forwarded-proto": "https" } });
  const cookie = csrf.headers.getSetCookie().find((line) => line.includes("next-auth.csrf-token"));
  expect(cookie).toMatch(/^next-auth\.csrf-token=/);
  expect(cookie).not.toMatch(/;\s*Secure/i);
});
