import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { createLatchkeyClient } from "@latchkey/client";
import { ADMIN, BASE_URL, E2E_SERVER_LOG, keyOf, METRICS_TOKEN, operatorClient, PORT, signIn, startServer } from "./fixtures";

// /metrics and the request log against the built server: a scripted run's counters, read as
// before/after deltas of two scrapes, are exactly what the run did; /metrics refuses anyone
// without the token and does not exist without LATCHKEY_METRICS_TOKEN; every request has an id
// that its response and its one log line carry, and no token reaches the log.

test.describe.configure({ mode: "serial" });
const IP = "198.51.100.77";
const base64url = (bytes: number) => randomBytes(bytes).toString("base64url");
/** Shaped like a session token, never issued. */
const fakeToken = () => `lks_${base64url(16).slice(0, 22)}.${base64url(32).slice(0, 43)}`;

/** Series of a scrape by name and sorted labels (`name{a="1",b="2"}`) → value. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => `${name}="${value}"`).sort();
    series.set(`${match[1]}{${labels.join(",")}}`, Number(match[3]));
  }
  return series;
}

async function scrape(port = PORT, token: string | null = METRICS_TOKEN): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`http://localhost:${port}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, text: await response.text(), type: response.headers.get("content-type") };
}

/** Counters (and histogram counts) of Latchkey that moved between two scrapes, by how much. */
function counterDeltas(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const moved: Record<string, number> = {};
  for (const [series, value] of after) {
    if (!series.startsWith("latchkey_") || !/^[a-z_]+(_total|_count)\{/.test(series)) continue;
    const delta = value - (before.get(series) ?? 0);
    if (delta !== 0) moved[series] = delta;
  }
  return moved;
}

test("a scripted run's counters at /metrics are exactly what the run did", async () => {
  const operator = await operatorClient();
  const appName = `metrics-${base64url(6)}`;
  const { application } = await operator.createApplication({ name: appName });
  const key = keyOf(appName);
  const issued: string[] = [];
  // What the run asked of the server: (method, route template, status) → count.
  const requests: Record<string, number> = {};
  async function call(method: string, route: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; id: string | null }> {
    const response = await fetch(`${BASE_URL}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-forwarded-for": IP },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const label = `latchkey_http_request_duration_seconds_count{method="${method}",route="${route}",status="${response.status}"}`;
    requests[label] = (requests[label] ?? 0) + 1;
    return { status: response.status, json: (await response.json()) as Record<string, unknown>, id: response.headers.get("x-request-id") };
  }
  const createSession = async (userId: string) => {
    const { status, json } = await call("POST", "/api/v1/sessions", "/api/v1/sessions", { userId });
    expect(status).toBe(201);
    const { token, session } = json as { token: string; session: { id: string } };
    issued.push(token);
    return { token, id: session.id };
  };
  const resolve = async (token: string) => (await call("POST", "/api/v1/sessions/resolve", "/api/v1/sessions/resolve", { token })).json;

  const first = await scrape();
  expect(first.status).toBe(200);
  expect(first.type).toContain("text/plain");
  const before = parseMetrics(first.text);

  const aliceLaptop = await createSession("alice");
  const alicePhone = await createSession("alice");
  const bob = await createSession("bob");
  // Answered by the hot path, ahead of Next.js.
  const resolved = await call("POST", "/api/v1/sessions/resolve", "/api/v1/sessions/resolve", { token: aliceLaptop.token });
  expect(resolved.json).toMatchObject({ authenticated: true });
  expect((await call("DELETE", "/api/v1/sessions/[id]", `/api/v1/sessions/${bob.id}`, { reason: "REVOKED" })).json).toEqual({ revoked: true });
  expect(await resolve(bob.token)).toMatchObject({ authenticated: false, reason: "REVOKED" });
  expect(await resolve(fakeToken())).toMatchObject({ authenticated: false, reason: "UNKNOWN" });
  expect((await call("DELETE", "/api/v1/users/[userId]/sessions", "/api/v1/users/alice/sessions", { reason: "LOGGED_OUT_EVERYWHERE" })).json).toEqual({ revoked: 2 });
  expect(alicePhone.id).not.toBe(aliceLaptop.id);
  // The e2e server keeps dead sessions 2 s (LATCHKEY_RETENTION); the key's sweep reaches its own application only.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const swept = await call("POST", "/api/v1/sweep", "/api/v1/sweep", {});
  expect(swept.json).toMatchObject({ total: 3, revoked: 3, idleExpired: 0, absoluteExpired: 0 });

  const second = await scrape();
  const after = parseMetrics(second.text);
  expect(counterDeltas(before, after)).toEqual({
    'latchkey_sessions_created_total{kind="user"}': 3,
    'latchkey_token_checks_total{operation="resolve",reason="",result="accepted"}': 1,
    'latchkey_token_checks_total{operation="resolve",reason="REVOKED",result="refused"}': 1,
    'latchkey_token_checks_total{operation="resolve",reason="UNKNOWN",result="refused"}': 1,
    'latchkey_refusals_total{operation="resolve",reason="REVOKED"}': 1,
    'latchkey_refusals_total{operation="resolve",reason="UNKNOWN"}': 1,
    'latchkey_sessions_ended_total{reason="REVOKED"}': 1,
    'latchkey_sessions_ended_total{reason="LOGGED_OUT_EVERYWHERE"}': 2,
    'latchkey_sessions_swept_total{status="revoked"}': 3,
    "latchkey_sweep_batches_total{}": 1,
    "latchkey_sweeps_total{}": 1,
    // Each resolve looked its session up once; none was in the cache yet.
    'latchkey_session_cache_lookups_total{result="miss"}': 3,
    // The first scrape is counted by the second.
    'latchkey_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}': 1,
    ...requests,
  });
  expect(after.get("latchkey_sweeps_running{}")).toBe(0);
  expect(after.get("latchkey_sweep_last_finished_timestamp_seconds{}")).toBeGreaterThan(Date.now() / 1000 - 60);
  // Default process metrics are there too, and no series is labelled with a raw path.
  expect(after.get("process_resident_memory_bytes{}")).toBeGreaterThan(0);
  expect(second.text).not.toContain(bob.id);
  expect(second.text).not.toContain("/api/v1/users/alice");

  // The run's log lines carry the application; no token of the run is in the server's log.
  const lastId = swept.id!;
  await expect.poll(() => readFileSync(E2E_SERVER_LOG, "utf8").includes(`"reqId":"${lastId}"`), { timeout: 10_000 }).toBe(true);
  const log = readFileSync(E2E_SERVER_LOG, "utf8");
  const lineOf = (id: string | null) => JSON.parse(log.split("\n").find((line) => line.includes(`"reqId":"${id}"`))!) as Record<string, unknown>;
  expect(lineOf(lastId)).toMatchObject({ msg: "request", method: "POST", route: "/api/v1/sweep", path: "/api/v1/sweep", status: 200, appId: application.id, ip: IP });
  // The hot path's line names the application too, though it runs outside AsyncLocalStorage.
  expect(lineOf(resolved.id)).toMatchObject({ msg: "request", method: "POST", route: "/api/v1/sessions/resolve", status: 200, appId: application.id, ip: IP });
  for (const token of [...issued, key]) expect(log).not.toContain(token);
});

test("/metrics refuses a request without the token or with a wrong one (401), and other methods (405)", async () => {
  const refusals: [string, Record<string, string>][] = [
    ["no Authorization header", {}],
    ["a wrong token", { authorization: `Bearer ${METRICS_TOKEN.replace(/.$/, "x")}` }],
    ["the token with more after it", { authorization: `Bearer ${METRICS_TOKEN}x` }],
    ["a prefix of the token", { authorization: `Bearer ${METRICS_TOKEN.slice(0, 8)}` }],
    ["the token as Basic credentials", { authorization: `Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString("base64")}` }],
    ["the token in a cookie", { cookie: `token=${METRICS_TOKEN}` }],
    ["an application's API key", { authorization: `Bearer ${keyOf("default")}` }],
    ["an ADMIN console account's session token", { authorization: `Bearer ${(await createLatchkeyClient({ baseUrl: BASE_URL, apiKey: "" }).createConsoleSession(ADMIN)).token}` }],
  ];
  for (const [what, headers] of refusals) {
    const response = await fetch(`${BASE_URL}/metrics`, { headers });
    expect(response.status, what).toBe(401);
    expect(response.headers.get("www-authenticate"), what).toBe('Bearer realm="metrics"');
    expect(await response.text(), what).not.toContain("latchkey_");
  }
  const query = await fetch(`${BASE_URL}/metrics?token=${METRICS_TOKEN}`);
  expect(query.status).toBe(401);
  const post = await fetch(`${BASE_URL}/metrics`, { method: "POST", headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(post.status).toBe(405);
});

test.describe("a server without LATCHKEY_METRICS_TOKEN", () => {
  const port = PORT + 50;
  let server: ReturnType<typeof startServer>;
  let dataDir = "";

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-metrics-"));
    server = startServer(port, {
      LATCHKEY_DATA_DIR: dataDir,
      DATABASE_URL: `file:${path.join(dataDir, "latchkey.db")}`,
      NEXTAUTH_URL: `http://localhost:${port}`,
      LATCHKEY_ADMIN_PASSWORD: "correct horse battery staple",
      LATCHKEY_TRUSTED_PROXIES: "loopback",
    });
    await expect
      .poll(
        async () => {
          if (server.child.exitCode !== null) throw new Error(`server exited:\n${server.output()}`);
          return fetch(`http://localhost:${port}/api/health`).then((response) => response.status, () => 0);
        },
        { timeout: 60_000 },
      )
      .toBe(200);
  });

  test.afterAll(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("answers /metrics 404, as it answers any path that does not exist, token or not", async () => {
    const unknown = await fetch(`http://localhost:${port}/no-such-page-${base64url(4)}`);
    for (const token of [null, METRICS_TOKEN, "anything-at-all-0123"]) {
      const metrics = await scrape(port, token);
      expect(metrics.status).toBe(404);
      expect(metrics.type).toBe(unknown.headers.get("content-type"));
      expect(metrics.text).not.toContain("latchkey_");
    }
  });

  test("gives every request an id: a safe one sent is echoed, an unsafe one replaced, and the log line has it", async () => {
    const get = (headers: Record<string, string>, url = "/api/health") => fetch(`http://localhost:${port}${url}`, { headers });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

    const generated = (await get({})).headers.get("x-request-id");
    expect(generated).toMatch(uuid);
    const safe = `e2e-trace.${base64url(6).replace(/[^A-Za-z0-9]/g, "x")}_1`;
    expect((await get({ "x-request-id": safe })).headers.get("x-request-id")).toBe(safe);
    for (const unsafe of ["has spaces in it", "x".repeat(65), 'quote"d', "a/b", "{\"level\":\"fatal\"}"]) {
      const answered = (await get({ "x-request-id": unsafe })).headers.get("x-request-id");
      expect(answered, unsafe).toMatch(uuid);
    }

    // A request with a token where tokens must never be put: in the query, a cookie and the Authorization header.
    const token = fakeToken();
    const traced = `e2e-leak-check-${base64url(6).replace(/[^A-Za-z0-9]/g, "x")}`;
    const resolve = await fetch(`http://localhost:${port}/api/v1/sessions/resolve?token=${token}`, {
      method: "POST",
      headers: { "x-request-id": traced, authorization: `Bearer ${token}`, cookie: `latchkey=${token}`, "content-type": "application/json", "x-forwarded-for": IP },
      body: JSON.stringify({ token }),
    });
    expect(resolve.status).toBe(401);
    expect(resolve.headers.get("x-request-id")).toBe(traced);

    const lineOf = (id: string) =>
      server
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.reqId === id && line.msg === "request");
    await expect.poll(() => lineOf(traced) !== undefined, { timeout: 10_000 }).toBe(true);
    expect(lineOf(traced)).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      msg: "request",
      reqId: traced,
      method: "POST",
      route: "/api/v1/sessions/resolve",
      path: "/api/v1/sessions/resolve",
      status: 401,
      durationMs: expect.any(Number),
      ip: IP,
    });
    expect(lineOf(safe)).toMatchObject({ method: "GET", route: "/api/health", status: 200 });
    expect(lineOf(generated!)).toMatchObject({ route: "/api/health" });
    expect(server.output()).not.toContain(token);
    expect(server.output()).not.toContain(token.split(".")[1]);
  });

  test("a console page that fails shows a reference that leads to its error line and its request line", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: `http://localhost:${port}` });
    const page = await context.newPage();
    await signIn(page, "admin@latchkey.local", "correct horse battery staple");
    // The audit log's table goes away under the running server: the audit page cannot be read.
    const database = new Database(path.join(dataDir, "latchkey.db"));
    database.exec('ALTER TABLE "AuditEvent" RENAME TO "AuditEvent_away"');
    try {
      await page.goto("/audit");
      const reference = page.getByTestId("error-reference");
      await expect(reference).toBeVisible();
      const digest = (await reference.textContent())!.trim();
      expect(digest).toMatch(/^\w+$/);

      const lines = () =>
        server
          .output()
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      await expect.poll(() => lines().some((line) => line.digest === digest), { timeout: 10_000 }).toBe(true);
      const failure = lines().find((line) => line.digest === digest)!;
      expect(failure).toMatchObject({ level: "error", route: "/audit", reqId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      await expect.poll(() => lines().some((line) => line.msg === "request" && line.reqId === failure.reqId), { timeout: 10_000 }).toBe(true);
      expect(lines().find((line) => line.msg === "request" && line.reqId === failure.reqId)).toMatchObject({ method: "GET", route: "/audit", path: "/audit" });
    } finally {
      database.exec('ALTER TABLE "AuditEvent_away" RENAME TO "AuditEvent"');
      database.close();
      await context.close();
    }
  });
});
