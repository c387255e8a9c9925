import { expect, test as base, type APIRequestContext } from "@playwright/test";
import { LatchkeyApiError } from "@latchkey/client";
import { createAccessTokenVerifier } from "@latchkey/client/verify";
import { answersWithStoredHashes, apiKeys, auditEventsOf, BASE_URL, checkAnswers, client, rowCounts, storedHashes, watchAnswers, watchRequest, type KeyName } from "./fixtures";

// Every answer of this file is kept, and checked by its last test for stored hashes.
const test = base.extend({ request: async ({ request }, use) => use(watchRequest(request)) });
test.beforeAll(() => watchAnswers());

// Every endpoint of /api/v1 against the built app: success, its documented failures, and the
// scope matrix. Requests come from their own forwarded address so rate limits stay per test file.
const IP = "198.51.100.10";
test.use({ extraHTTPHeaders: { "x-forwarded-for": IP } });

function auth(key: KeyName) {
  return { authorization: `Bearer ${apiKeys()[key]}` };
}

async function errorOf(promise: Promise<unknown>): Promise<LatchkeyApiError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LatchkeyApiError);
  return error as LatchkeyApiError;
}

async function expectError(request: APIRequestContext, method: string, url: string, options: { headers?: Record<string, string>; data?: unknown; body?: string }, status: number, code: string) {
  const response = await request.fetch(url, { method, headers: options.headers, data: options.body ?? (options.data === undefined ? undefined : JSON.stringify(options.data)) });
  expect(response.status(), `${method} ${url}: ${await response.text()}`).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
  return body;
}

const JSON_HEADERS = { "content-type": "application/json" };

test.describe("sessions", () => {
  test("create, resolve, refresh, rotate, relabel, re-tenant, revoke — audited with the key as actor", async () => {
    const api = client("all");
    const created = await api.createSession({
      userId: "api-alice",
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      ip: "203.0.113.9",
      tenantId: "acme",
      roles: ["member"],
      metadata: { plan: "pro" },
    });
    expect(created.token).toMatch(/^lks_/);
    expect(created.session).toMatchObject({ userId: "api-alice", status: "active", browser: "Mobile Safari", deviceType: "mobile", tenantId: "acme" });
    expect(JSON.stringify(created.session)).not.toContain(created.token.split(".")[1]);

    const resolved = await api.resolveSession(created.token);
    expect(resolved).toMatchObject({ authenticated: true, roles: ["member"], tenantId: "acme", kind: "user", reason: null, user: { id: "api-alice" } });

    const refreshed = await api.refreshSession(created.token);
    expect(refreshed.token).toBeUndefined();
    expect(refreshed.session.id).toBe(created.session.id);

    const rotated = await api.refreshSession(created.token, { rotate: true });
    const rotatedToken = rotated.token ?? "";
    expect(rotatedToken).toMatch(/^lks_/);
    expect(await errorOf(api.refreshSession(created.token, { rotate: true }))).toMatchObject({ status: 409, code: "ROTATION_CONFLICT" });
    expect(rotated.session.rotatedFromId).toBe(created.session.id);
    expect((await api.resolveSession(rotatedToken)).authenticated).toBe(true);

    const relabelled = await api.updateSession(rotated.session.id, { deviceLabel: "Alice's phone", tenantId: "globex" });
    expect(relabelled.session).toMatchObject({ deviceLabel: "Alice's phone", tenantId: "globex" });
    expect((await api.getSession(rotated.session.id)).session.deviceLabel).toBe("Alice's phone");

    expect(await api.revokeSession(rotated.session.id, { reason: "REVOKED", note: "ticket 99" })).toEqual({ revoked: true });
    expect(await api.revokeSession(rotated.session.id)).toEqual({ revoked: false });
    const refused = await api.resolveSession(rotatedToken);
    expect(refused).toMatchObject({ authenticated: false, reason: "REVOKED", code: "SESSION_REVOKED", revokedReason: "REVOKED", revokedBy: "api_key:e2e-all" });

    const refreshError = await errorOf(api.refreshSession(rotatedToken));
    expect(refreshError).toMatchObject({ status: 401, code: "SESSION_REVOKED", details: { reason: "REVOKED", revokedReason: "REVOKED" } });

    const events = auditEventsOf(rotated.session.id);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(["session.created", "session.label_changed", "session.tenant_changed", "session.revoked"]));
    expect(events.every((event) => event.actorType === "api_key" && event.actorLabel === "e2e-all")).toBe(true);
  });

  test("guest sessions and their upgrade", async () => {
    const api = client("all");
    const guest = await api.createGuestSession();
    expect(guest.session).toMatchObject({ kind: "guest" });
    const upgraded = await api.upgradeGuestSession(guest.token, "api-upgraded");
    expect(upgraded.session).toMatchObject({ kind: "user", userId: "api-upgraded", guestUserId: guest.session.userId });
    const user = await api.createSession({ userId: "api-not-a-guest" });
    expect(await errorOf(api.upgradeGuestSession(user.token, "x"))).toMatchObject({ status: 422, code: "NOT_A_GUEST_SESSION" });
    // The guest token was rotated by the upgrade: upgrading it again at once is a conflict, not theft.
    expect(await errorOf(api.upgradeGuestSession(guest.token, "api-upgraded"))).toMatchObject({ status: 409, code: "ROTATION_CONFLICT" });
    expect(await errorOf(api.upgradeGuestSession(`lks_${"A".repeat(22)}.${"B".repeat(43)}`, "x"))).toMatchObject({ status: 401, code: "SESSION_NOT_FOUND", details: { reason: "UNKNOWN" } });
  });

  test("list with filters and cursor; one user's sessions; log out everywhere spares other users", async () => {
    const api = client("all");
    const tenantId = `list-${Date.now()}`;
    for (let i = 0; i < 5; i++) await api.createSession({ userId: "api-bob", tenantId, ip: `192.0.2.${i}` });
    const carol = await api.createSession({ userId: "api-carol", tenantId });

    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await api.listSessions({ tenantId, limit: 2, sort: "createdAt", order: "asc", cursor });
      page.items.forEach((item) => seen.add(item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.size).toBe(6);
    expect((await api.listSessions({ tenantId, ip: "192.0.2.3" })).items).toHaveLength(1);
    expect((await api.listSessions({ tenantId, user: "api-carol" })).items.map((s) => s.id)).toEqual([carol.session.id]);

    expect((await api.listUserSessions("api-bob")).items).toHaveLength(5);
    expect(await api.revokeUserSessions("api-bob", { note: "lost laptop" })).toEqual({ revoked: 5 });
    expect((await api.listUserSessions("api-bob")).items).toHaveLength(0);
    expect((await api.listUserSessions("api-carol")).items).toHaveLength(1);
    expect((await api.listSessions({ tenantId, status: "revoked" })).items).toHaveLength(5);
    expect((await api.listSessions({ tenantId, status: "active,revoked" })).items).toHaveLength(6);
  });

  test("log out everywhere but one session: the device asking keeps its session; another user's id spares nothing; a malformed one is a 400", async ({ request }) => {
    const api = client("all");
    const userId = `api-dora-${Date.now()}`;
    const [here, ...others] = [await api.createSession({ userId }), await api.createSession({ userId }), await api.createSession({ userId })];
    const stranger = await api.createSession({ userId: `${userId}-stranger` });

    await expectError(request, "DELETE", `/api/v1/users/${userId}/sessions`, { headers: { ...auth("all"), ...JSON_HEADERS }, data: { exceptSessionId: "not a session id" } }, 400, "VALIDATION_FAILED");
    expect((await api.listUserSessions(userId)).items).toHaveLength(3);

    expect(await api.revokeUserSessions(userId, { reason: "REVOKED", note: "from another of your devices", exceptSessionId: here!.session.id })).toEqual({ revoked: 2 });
    expect((await api.listUserSessions(userId)).items.map((session) => session.id)).toEqual([here!.session.id]);
    for (const other of others) expect(await api.resolveSession(other.token)).toMatchObject({ authenticated: false, reason: "REVOKED", revokeNote: "from another of your devices" });

    // Another user's session named as the exception keeps nothing of this user's alive, and is untouched itself.
    expect(await api.revokeUserSessions(userId, { exceptSessionId: stranger.session.id })).toEqual({ revoked: 1 });
    expect((await api.resolveSession(stranger.token)).authenticated).toBe(true);
  });

  test("documented failures of each session endpoint", async ({ request }) => {
    const h = { ...auth("all"), ...JSON_HEADERS };
    await expectError(request, "POST", "/api/v1/sessions", { headers: h, data: {} }, 400, "VALIDATION_FAILED");
    await expectError(request, "POST", "/api/v1/sessions", { headers: h, data: { userId: "x", admin: true } }, 400, "VALIDATION_FAILED");
    // An expiry of the client's is refused: the server's policy and clock alone set it.
    for (const field of ["expiresAt", "idleExpiresAt", "absoluteExpiresAt"]) {
      await expectError(request, "POST", "/api/v1/sessions", { headers: h, data: { userId: "x", [field]: "2099-01-01T00:00:00Z" } }, 400, "VALIDATION_FAILED");
    }
    await expectError(request, "POST", "/api/v1/sessions", { headers: h, data: { userId: "x", idleTimeoutSeconds: -1 } }, 400, "VALIDATION_FAILED");
    await expectError(request, "POST", "/api/v1/sessions", { headers: { ...auth("all"), "content-type": "text/plain" }, body: '{"userId":"x"}' }, 415, "UNSUPPORTED_MEDIA_TYPE");
    await expectError(request, "POST", "/api/v1/sessions", { headers: h, body: `{"userId":"${"x".repeat(70_000)}"}` }, 413, "PAYLOAD_TOO_LARGE");
    await expectError(request, "POST", "/api/v1/sessions", { headers: h, body: "{not json" }, 400, "VALIDATION_FAILED");
    await expectError(request, "POST", "/api/v1/sessions", { headers: h, body: `${"[".repeat(5000)}${"]".repeat(5000)}` }, 400, "VALIDATION_FAILED");
    const injection = await expectError(request, "POST", "/api/v1/sessions/resolve", { headers: h, data: { token: { not: "" } } }, 400, "VALIDATION_FAILED");
    expect(injection.error.message).toContain("token");
    await expectError(request, "POST", "/api/v1/sessions/refresh", { headers: h, data: { token: "lks_nope" } }, 401, "TOKEN_MALFORMED");
    await expectError(request, "POST", "/api/v1/sessions/refresh", { headers: h, data: { token: "x", rotate: "yes" } }, 400, "VALIDATION_FAILED");
    await expectError(request, "GET", "/api/v1/sessions?status=sleeping", { headers: auth("all") }, 400, "VALIDATION_FAILED");
    await expectError(request, "GET", "/api/v1/sessions?limit=100000", { headers: auth("all") }, 400, "VALIDATION_FAILED");
    await expectError(request, "GET", "/api/v1/sessions?cursor=garbage", { headers: auth("all") }, 400, "VALIDATION_FAILED");
    await expectError(request, "GET", "/api/v1/sessions?sql=1%3BDROP", { headers: auth("all") }, 400, "VALIDATION_FAILED");
    await expectError(request, "GET", `/api/v1/sessions/${"A".repeat(22)}`, { headers: auth("all") }, 404, "SESSION_NOT_FOUND");
    await expectError(request, "GET", "/api/v1/sessions/not-an-id", { headers: auth("all") }, 404, "SESSION_NOT_FOUND");
    await expectError(request, "PATCH", `/api/v1/sessions/${"A".repeat(22)}`, { headers: h, data: { deviceLabel: "x" } }, 404, "SESSION_NOT_FOUND");
    const own = await client("all").createSession({ userId: "api-failures" });
    await expectError(request, "PATCH", `/api/v1/sessions/${own.session.id}`, { headers: h, data: {} }, 400, "VALIDATION_FAILED");
    await expectError(request, "PATCH", `/api/v1/sessions/${own.session.id}`, { headers: h, data: { deviceLabel: "x".repeat(101) } }, 400, "VALIDATION_FAILED");
    await expectError(request, "DELETE", `/api/v1/sessions/${own.session.id}`, { headers: h, data: { reason: "ROTATED" } }, 400, "VALIDATION_FAILED");
    await expectError(request, "DELETE", `/api/v1/sessions/${"A".repeat(22)}`, { headers: auth("all") }, 404, "SESSION_NOT_FOUND");
    await expectError(request, "GET", "/api/v1/no-such-thing", { headers: auth("all") }, 404, "NOT_FOUND");
    expect((await client("all").getSession(own.session.id)).session.status).toBe("active");
  });
});

test.describe("signed access tokens", () => {
  test("a live session's token is exchanged for an access token that verifies against the published JWKS; a revoked one is refused at once", async () => {
    const api = client("read");
    const { token, session } = await client("all").createSession({ userId: `edge-${Date.now()}`, roles: ["editor"], tenantId: "acme" });
    const { accessToken, tokenType, expiresAt } = await api.exchangeSession(token);
    expect(tokenType).toBe("Bearer");
    const lifetime = new Date(expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(4 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(5 * 60_000);

    const jwks = await fetch(`${BASE_URL}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get("cache-control")).toContain("max-age");
    const { keys } = (await jwks.json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toHaveProperty("d");

    const verify = createAccessTokenVerifier({ issuer: BASE_URL, audience: "default", jwksUrl: `${BASE_URL}/.well-known/jwks.json` });
    expect(await verify(accessToken)).toMatchObject({ sessionId: session.id, appId: "default", userId: session.userId, roles: ["editor"], tenantId: "acme", kind: "user" });
    // A verifier of another application refuses it: the token's audience is this one.
    const elsewhere = createAccessTokenVerifier({ issuer: BASE_URL, audience: "app_other", jwksUrl: `${BASE_URL}/.well-known/jwks.json` });
    await expect(elsewhere(accessToken)).rejects.toThrow(/aud/);

    await client("all").revokeSession(session.id);
    const refused = await api.exchangeSession(token).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401, code: "SESSION_REVOKED" });
    // Already issued, it verifies until it expires: its lifetime bounds a revocation's delay.
    await expect(verify(accessToken)).resolves.toMatchObject({ sessionId: session.id });
  });
});

test.describe("sweep and OAuth state", () => {
  test("sweep previews and runs with the admin scope", async () => {
    const preview = await client("admin").sweep({ dryRun: true });
    expect(preview).toMatchObject({ dryRun: true });
    expect(typeof preview.total).toBe("number");
    const run = await client("admin").sweep({ retentionSeconds: 7 * 86_400 });
    expect(run.dryRun).toBe(false);
    expect(await errorOf(client("admin").sweep({ retentionSeconds: -1 }))).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  });

  test("OAuth state: issued, consumed once, then STATE_INVALID; kinds are not interchangeable", async () => {
    const api = client("oauth");
    const { state, expiresAt } = await api.issueOAuthState({ data: { returnTo: "/welcome" } });
    expect(state).toMatch(/^lko_/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(await api.consumeOAuthState(state)).toEqual({ data: { returnTo: "/welcome" } });
    expect(await errorOf(api.consumeOAuthState(state))).toMatchObject({ status: 400, code: "STATE_INVALID" });
    const session = await client("all").createSession({ userId: "api-oauth" });
    expect(await errorOf(api.consumeOAuthState(session.token))).toMatchObject({ status: 400, code: "STATE_INVALID" });
    expect((await client("all").resolveSession(state)).reason).toBe("MALFORMED");
    expect(await errorOf(api.issueOAuthState({ ttlSeconds: 0 }))).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  });

  test("20 parallel consumes of one state over HTTP: exactly one succeeds", async () => {
    const api = client("oauth");
    const { state } = await api.issueOAuthState();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => api.consumeOAuthState(state)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  });
});

test.describe("authentication and scopes", () => {
  const probes: { method: string; url: string; data?: unknown; scope: string }[] = [
    { method: "POST", url: "/api/v1/sessions", data: { userId: "scope-probe" }, scope: "sessions:write" },
    { method: "POST", url: "/api/v1/sessions/guest", data: {}, scope: "sessions:write" },
    { method: "POST", url: "/api/v1/sessions/resolve", data: { token: "lks_x" }, scope: "sessions:read" },
    { method: "POST", url: "/api/v1/sessions/refresh", data: { token: "lks_x" }, scope: "sessions:write" },
    { method: "POST", url: "/api/v1/sessions/upgrade", data: { token: "lks_x", userId: "u" }, scope: "sessions:write" },
    { method: "GET", url: "/api/v1/sessions", scope: "sessions:read" },
    { method: "GET", url: `/api/v1/sessions/${"A".repeat(22)}`, scope: "sessions:read" },
    { method: "PATCH", url: `/api/v1/sessions/${"A".repeat(22)}`, data: { deviceLabel: "x" }, scope: "sessions:write" },
    { method: "DELETE", url: `/api/v1/sessions/${"A".repeat(22)}`, scope: "sessions:write" },
    { method: "GET", url: "/api/v1/users/scope-probe/sessions", scope: "sessions:read" },
    { method: "DELETE", url: "/api/v1/users/scope-probe/sessions", scope: "sessions:write" },
    { method: "POST", url: "/api/v1/sweep", data: {}, scope: "sessions:admin" },
    { method: "POST", url: "/api/v1/sessions/service", data: { client: "scope-probe", scopes: ["x"] }, scope: "service-sessions" },
    { method: "POST", url: "/api/v1/sessions/token", data: { token: "lks_x" }, scope: "sessions:read" },
    { method: "POST", url: "/api/v1/diagnose", data: { user: "scope-probe" }, scope: "sessions:admin" },
    { method: "POST", url: "/api/v1/oauth-states", data: {}, scope: "oauth-states" },
    { method: "POST", url: "/api/v1/oauth-states/consume", data: { state: "lko_x" }, scope: "oauth-states" },
  ];
  const keyScopes: Record<Exclude<KeyName, "fuzz" | "limits">, string[]> = {
    all: ["sessions:read", "sessions:write", "sessions:admin", "oauth-states", "service-sessions"],
    read: ["sessions:read"],
    write: ["sessions:write"],
    admin: ["sessions:admin"],
    oauth: ["oauth-states"],
  };

  test("scope matrix: a key without the scope gets 403 and changes nothing; with it, the key is accepted", async ({ request }) => {
    for (const probe of probes) {
      for (const [key, scopes] of Object.entries(keyScopes) as [KeyName, string[]][]) {
        const before = rowCounts();
        const response = await request.fetch(probe.url, {
          method: probe.method,
          headers: { ...auth(key), ...JSON_HEADERS },
          data: probe.data === undefined ? undefined : JSON.stringify(probe.data),
        });
        const label = `${probe.method} ${probe.url} with ${key}`;
        if (scopes.includes(probe.scope)) {
          expect(response.status(), label).toBeLessThan(500);
          const code = response.ok() ? null : ((await response.json()) as { error: { code: string } }).error.code;
          expect(["FORBIDDEN", "UNAUTHORIZED"], label).not.toContain(code);
        } else {
          expect(response.status(), label).toBe(403);
          expect(((await response.json()) as { error: { code: string; details: { requiredScope: string } } }).error).toMatchObject({
            code: "FORBIDDEN",
            details: { requiredScope: probe.scope },
          });
          const after = rowCounts();
          // Only the key's last-used time may change; no session, state or event is written.
          expect(after, label).toEqual(before);
        }
      }
    }
  });

  test("no key, a malformed key, an unknown key: 401 and nothing changes", async ({ request }) => {
    const before = rowCounts();
    const attempts: Record<string, string>[] = [{}, { authorization: "Basic abc" }, { authorization: "Bearer lka_nope" }, { authorization: `Bearer lka_${"A".repeat(22)}.${"B".repeat(43)}` }];
    for (const headers of attempts) {
      await expectError(request, "POST", "/api/v1/sessions", { headers: { ...headers, ...JSON_HEADERS, "x-forwarded-for": "198.51.100.77" }, data: { userId: "nobody" } }, 401, "UNAUTHORIZED");
    }
    const session = await client("all").createSession({ userId: "api-kind-check" });
    await expectError(request, "GET", "/api/v1/sessions", { headers: { authorization: `Bearer ${session.token}`, "x-forwarded-for": "198.51.100.77" } }, 401, "UNAUTHORIZED");
    expect(rowCounts().Session).toBe((before.Session ?? 0) + 1);
  });

  test("a flood of bad keys from one address is rate-limited with Retry-After", async ({ request }) => {
    let limited = null;
    for (let i = 0; i < 25 && !limited; i++) {
      const response = await request.get("/api/v1/sessions", { headers: { authorization: "Bearer lka_bad", "x-forwarded-for": "198.51.100.99" } });
      if (response.status() === 429) limited = response;
      else expect(response.status()).toBe(401);
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers()["retry-after"])).toBeGreaterThan(0);
    expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    // Another address is not affected.
    expect((await request.get("/api/v1/sessions", { headers: { ...auth("read"), "x-forwarded-for": "198.51.100.100" } })).status()).toBe(200);
  });

  test("a flood of refused tokens on one key is rate-limited (the e2e server allows 300 a minute)", async () => {
    const headers = { authorization: `Bearer ${apiKeys().limits}`, "content-type": "application/json", "x-forwarded-for": "198.51.100.150" };
    const statuses: number[] = [];
    for (let i = 0; i < 305; i++) {
      const response = await fetch(`${BASE_URL}/api/v1/sessions/resolve`, { method: "POST", headers, body: JSON.stringify({ token: `lks_${"A".repeat(22)}.${"B".repeat(43)}` }) });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
        break;
      }
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 300).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  test("health and the OpenAPI document need no key", async ({ request }) => {
    expect(await (await request.get("/api/health")).json()).toEqual({ status: "ok", database: "ok" });
    const document = (await (await request.get("/api/v1/openapi.json")).json()) as { openapi: string };
    expect(document.openapi).toBe("3.1.0");
  });
});

test("no answer in this file held a stored hash of a session, OAuth state, API key or password", async () => {
  const { answers, leaks } = await checkAnswers();
  expect(answers.length).toBeGreaterThan(200);
  expect(leaks).toEqual([]);
  // The scan finds each kind of stored hash where one is.
  const hashes = storedHashes();
  const sample = new Map([...hashes].map(([hash, kind]) => [kind, hash]));
  expect([...sample.keys()]).toEqual(expect.arrayContaining(["Session.secretHash", "ApiKey.secretHash", "User.passwordHash"]));
  const planted = [...sample.values()].map((hash, index) => ({ url: `planted-${index}`, body: JSON.stringify({ session: { id: "x", note: hash } }) }));
  expect(answersWithStoredHashes(planted, hashes)).toHaveLength(sample.size);
});
