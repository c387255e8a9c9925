import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createLatchkeyClient, LatchkeyApiError, type LatchkeyClient } from "@latchkey/client";
import Database from "better-sqlite3";
import pg from "pg";
import { privatePostgres, type PrivatePostgres } from "../lib/testing/postgres-server";
import { ADMIN, startServer } from "./fixtures";

// The server is killed with SIGKILL while it takes creates, rotations, revocations and log-outs
// everywhere; after a restart, every write it acknowledged is there, and the audit log and the
// sessions agree row for row (a write cut off midway left both or neither). Then PostgreSQL
// itself goes down under load and comes back: Latchkey answers 503 with Retry-After meanwhile
// and recovers without a restart. The PostgreSQL server is the test's own, not the machine's.

test.describe.configure({ mode: "serial", timeout: 240_000 });

type Server = ReturnType<typeof startServer>;
interface SessionRow {
  id: string;
  userId: string;
  revokedAt: unknown;
  revokedReason: string | null;
  rotatedToId: string | null;
}
interface AuditRow {
  type: string;
  sessionId: string | null;
  userId: string | null;
  details: string;
}

/** What the server acknowledged (answered 2xx to) before it was killed. */
interface Acknowledged {
  creates: { id: string; userId: string }[];
  rotations: { from: string; to: string }[];
  revocations: string[];
  logouts: { userId: string; ended: string[]; revoked: number }[];
}

let pgServer: PrivatePostgres | undefined;

test.afterAll(async () => {
  await pgServer?.destroy();
});

async function listening(server: Server): Promise<void> {
  await expect
    .poll(
      () => {
        if (server.child.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`);
        return server.output().includes("listening on port");
      },
      { timeout: 90_000 },
    )
    .toBe(true);
}

async function stop(server: Server, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (server.child.exitCode === null) server.child.kill(signal);
  await server.exited;
}

function apiKey(env: Record<string, string>, app: string): string {
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", "scripts/api-key.ts", "create", "--app", app, "--name", `crash-${Date.now()}`, "--scopes", "sessions:read,sessions:write", "--json"],
    { env: { ...process.env, ...env }, encoding: "utf8" },
  );
  return (JSON.parse(output) as { key: string }).key;
}

async function readState(databaseUrl: string, appId: string): Promise<{ sessions: SessionRow[]; audit: AuditRow[] }> {
  const sessionsSql = `SELECT "id", "userId", "revokedAt", "revokedReason", "rotatedToId" FROM "Session" WHERE "appId" = $1`;
  const auditSql = `SELECT "type", "sessionId", "userId", "details" FROM "AuditEvent" WHERE "appId" = $1`;
  if (databaseUrl.startsWith("file:")) {
    const db = new Database(databaseUrl.slice("file:".length), { readonly: true });
    try {
      return {
        sessions: db.prepare(sessionsSql.replace("$1", "?")).all(appId) as SessionRow[],
        audit: db.prepare(auditSql.replace("$1", "?")).all(appId) as AuditRow[],
      };
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return { sessions: (await client.query<SessionRow>(sessionsSql, [appId])).rows, audit: (await client.query<AuditRow>(auditSql, [appId])).rows };
  } finally {
    await client.end();
  }
}

/**
 * Eight workers, each with its own users, so each one's acknowledged writes say exactly what the
 * database must hold: creates (half of the calls), rotations, revocations and log-outs everywhere.
 */
function mixedLoad(api: LatchkeyClient, tag: string): { acknowledged: Acknowledged; stop: () => Promise<number> } {
  const acknowledged: Acknowledged = { creates: [], rotations: [], revocations: [], logouts: [] };
  let running = true;
  let failures = 0;
  const workers = Array.from({ length: 8 }, async (_, worker) => {
    const live = new Map<string, { token: string; userId: string }>();
    for (let step = 0; running; step++) {
      const userId = `${tag}-w${worker}-u${step % 4}`;
      const kind = step % 10;
      try {
        if (kind < 5 || live.size < 3) {
          const { token, session } = await api.createSession({ userId, userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" });
          acknowledged.creates.push({ id: session.id, userId });
          live.set(session.id, { token, userId });
        } else if (kind < 7) {
          const [id, held] = live.entries().next().value!;
          live.delete(id);
          const refreshed = await api.refreshSession(held.token, { rotate: true });
          acknowledged.rotations.push({ from: id, to: refreshed.session.id });
          live.set(refreshed.session.id, { token: refreshed.token!, userId: held.userId });
        } else if (kind < 9) {
          const [id] = live.keys();
          live.delete(id!);
          const { revoked } = await api.revokeSession(id!, { reason: "REVOKED", note: "crash test" });
          if (revoked) acknowledged.revocations.push(id!);
        } else {
          const ended = [...live].filter(([, held]) => held.userId === userId).map(([id]) => id);
          for (const id of ended) live.delete(id);
          const { revoked } = await api.revokeUserSessions(userId, { note: "crash test" });
          acknowledged.logouts.push({ userId, ended, revoked });
        }
      } catch (error) {
        // Calls cut off by the kill: not acknowledged, so nothing is expected of them.
        if (error instanceof LatchkeyApiError && error.status < 500) throw error;
        failures += 1;
        if (!running) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  return {
    acknowledged,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return failures;
    },
  };
}

/** Every acknowledged write is in the database, and every session change has its audit row and no other. */
function checkAgainst(acknowledged: Acknowledged, { sessions, audit }: { sessions: SessionRow[]; audit: AuditRow[] }): void {
  const byId = new Map(sessions.map((row) => [row.id, row]));
  const auditOf = (type: string) => {
    const counts = new Map<string, number>();
    for (const row of audit) if (row.type === type && row.sessionId) counts.set(row.sessionId, (counts.get(row.sessionId) ?? 0) + 1);
    return counts;
  };
  const created = auditOf("session.created");
  const revokedEvents = auditOf("session.revoked");
  const rotatedEvents = auditOf("session.rotated");

  for (const { id } of acknowledged.creates) {
    expect(byId.has(id), `acknowledged create ${id}`).toBe(true);
  }
  for (const { from, to } of acknowledged.rotations) {
    expect(byId.get(from)?.revokedReason, `rotated ${from}`).toBe("ROTATED");
    expect(byId.get(from)?.rotatedToId).toBe(to);
    expect(byId.has(to), `successor ${to}`).toBe(true);
  }
  for (const id of acknowledged.revocations) {
    expect(byId.get(id)?.revokedReason, `revoked ${id}`).toBe("REVOKED");
  }
  for (const { userId, ended, revoked } of acknowledged.logouts) {
    // Each worker's users are its own: the call ended exactly the sessions the worker held for them.
    expect(revoked, `sessions ended by logging ${userId} out everywhere`).toBe(ended.length);
    for (const id of ended) expect(byId.get(id)?.revokedReason, `${id}, logged out everywhere`).toBe("LOGGED_OUT_EVERYWHERE");
  }
  const summaries = audit.filter((row) => row.type === "user.sessions_revoked").map((row) => JSON.parse(row.details) as { revoked: number });
  expect(summaries.length, "one summary event per log-out that ended sessions").toBeGreaterThanOrEqual(acknowledged.logouts.filter((logout) => logout.revoked > 0).length);
  expect(summaries.reduce((sum, summary) => sum + summary.revoked, 0), "sessions the summary events count").toBe(sessions.filter((row) => row.revokedReason === "LOGGED_OUT_EVERYWHERE").length);

  // Row for row: each session has one creation event; each ended one, one event that ended it.
  for (const row of sessions) {
    expect(created.get(row.id) ?? 0, `session.created of ${row.id}`).toBe(1);
    const ending = row.revokedAt === null ? 0 : 1;
    if (row.revokedReason === "ROTATED") {
      expect(rotatedEvents.get(row.id) ?? 0, `session.rotated of ${row.id}`).toBe(1);
      expect(revokedEvents.get(row.id) ?? 0).toBe(0);
    } else {
      expect(revokedEvents.get(row.id) ?? 0, `session.revoked of ${row.id}`).toBe(ending);
      expect(rotatedEvents.get(row.id) ?? 0).toBe(0);
    }
  }
  // And no event of a change that is not there.
  for (const id of created.keys()) expect(byId.has(id), `session of the event session.created ${id}`).toBe(true);
  for (const id of revokedEvents.keys()) expect(byId.get(id)?.revokedAt ?? null, `revocation of ${id}`).not.toBeNull();
  for (const id of rotatedEvents.keys()) expect(byId.get(id)?.revokedReason, `rotation of ${id}`).toBe("ROTATED");
}

async function killUnderLoad(databaseLabel: string, port: number, env: Record<string, string>): Promise<void> {
  const baseUrl = `http://localhost:${port}`;
  let server = startServer(port, env);
  try {
    await listening(server);
    const { token } = await createLatchkeyClient({ baseUrl, apiKey: "" }).createConsoleSession(ADMIN);
    const { application } = await createLatchkeyClient({ baseUrl, apiKey: token }).createApplication({ name: `crash ${databaseLabel}` });
    const api = createLatchkeyClient({ baseUrl, apiKey: apiKey(env, application.id), timeoutMs: 10_000 });

    const load = mixedLoad(api, databaseLabel);
    await expect.poll(() => load.acknowledged.creates.length, { timeout: 30_000 }).toBeGreaterThan(150);
    await expect.poll(() => load.acknowledged.logouts.length, { timeout: 30_000 }).toBeGreaterThan(3);
    server.child.kill("SIGKILL");
    await server.exited;
    const cutOff = await load.stop();
    const { acknowledged } = load;
    console.info(
      `crash test (${databaseLabel}): acknowledged ${acknowledged.creates.length} creates, ${acknowledged.rotations.length} rotations, ` +
        `${acknowledged.revocations.length} revocations and ${acknowledged.logouts.length} log-outs everywhere before SIGKILL; ${cutOff} calls cut off`,
    );

    server = startServer(port, env);
    await listening(server);
    const state = await readState(env.DATABASE_URL!, application.id);
    checkAgainst(acknowledged, state);
    const ended = state.sessions.filter((row) => row.revokedAt !== null).length;
    const beyond = state.sessions.length - acknowledged.creates.length - acknowledged.rotations.length;
    console.info(
      `crash test (${databaseLabel}): after the restart ${state.sessions.length} sessions (${ended} ended) and ${state.audit.length} audit rows, ` +
        `each change with its audit row; ${beyond} session(s) from calls cut off by the kill were committed whole`,
    );

    // And it serves again.
    const again = await api.createSession({ userId: `${databaseLabel}-after` });
    expect((await api.resolveSession(again.token)).authenticated).toBe(true);
  } finally {
    await stop(server);
  }
}

test("SIGKILL under mixed writes on SQLite: every acknowledged write is there after a restart, and the audit log matches the sessions row for row", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-crash-sqlite-"));
  try {
    await killUnderLoad("sqlite", 3250, {
      LATCHKEY_DATA_DIR: dataDir,
      DATABASE_URL: `file:${path.join(dataDir, "latchkey.db")}`,
      LATCHKEY_ADMIN_EMAIL: ADMIN.email,
      LATCHKEY_ADMIN_PASSWORD: ADMIN.password,
      NEXTAUTH_URL: "http://localhost:3250",
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("SIGKILL under mixed writes on PostgreSQL: every acknowledged write is there after a restart, and the audit log matches the sessions row for row", async () => {
  pgServer = await privatePostgres();
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-crash-postgres-"));
  try {
    await killUnderLoad("postgres", 3251, {
      LATCHKEY_DATA_DIR: dataDir,
      DATABASE_URL: pgServer.url,
      LATCHKEY_ADMIN_EMAIL: ADMIN.email,
      LATCHKEY_ADMIN_PASSWORD: ADMIN.password,
      NEXTAUTH_SECRET: "crash-test-secret-of-at-least-32-characters",
      NEXTAUTH_URL: "http://localhost:3251",
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("PostgreSQL restarted under load: 503 with Retry-After meanwhile, and Latchkey recovers without a restart", async () => {
  pgServer ??= await privatePostgres();
  const database = pgServer;
  const port = 3252;
  const baseUrl = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "latchkey-pg-restart-"));
  const env = {
    LATCHKEY_DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    LATCHKEY_ADMIN_EMAIL: ADMIN.email,
    LATCHKEY_ADMIN_PASSWORD: ADMIN.password,
    NEXTAUTH_SECRET: "crash-test-secret-of-at-least-32-characters",
    NEXTAUTH_URL: baseUrl,
  };
  const server = startServer(port, env);
  try {
    await listening(server);
    const { token } = await createLatchkeyClient({ baseUrl, apiKey: "" }).createConsoleSession(ADMIN);
    const { application } = await createLatchkeyClient({ baseUrl, apiKey: token }).createApplication({ name: "postgres restart" });
    const key = apiKey(env, application.id);

    type Answer = { phase: "before" | "down" | "back"; op: "create" | "resolve"; status: number; retryAfter: string | null; sessionId?: string; error?: string };
    const answers: Answer[] = [];
    let phase: Answer["phase"] = "before";
    let running = true;
    const tokens: string[] = [];
    const call = async (op: Answer["op"], body: unknown) => {
      const at = phase;
      const response = await fetch(`${baseUrl}/api/v1/sessions${op === "resolve" ? "/resolve" : ""}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const payload = (await response.json()) as { token?: string; session?: { id: string }; error?: { code: string; message: string } };
      if (op === "create" && response.status === 201) tokens.push(payload.token!);
      answers.push({ phase: at, op, status: response.status, retryAfter: response.headers.get("retry-after"), sessionId: payload.session?.id, error: payload.error?.message });
    };
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let step = 0; running; step++) {
          if (step % 2 === 0 || tokens.length === 0) await call("create", { userId: `restart-${worker}-${step % 8}` });
          // A token made moments ago (likely cached) or long ago (likely not): both must get an answer.
          else await call("resolve", { token: tokens[step % 3 === 0 ? tokens.length - 1 : step % tokens.length] });
          if (phase === "down") await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );

    await expect.poll(() => answers.length, { timeout: 20_000 }).toBeGreaterThan(100);
    phase = "down";
    await database.stop();
    const downAt = Date.now();
    await expect.poll(() => answers.filter((answer) => answer.phase === "down" && answer.status === 503).length, { timeout: 20_000 }).toBeGreaterThan(20);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const health = await fetch(`${baseUrl}/api/health`);
    expect(health.status).toBe(503);
    await database.start();
    const upAt = Date.now();
    phase = "back";
    await expect
      .poll(() => answers.filter((answer) => answer.phase === "back" && answer.op === "create" && answer.status === 201).length, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const recoveredAfter = Date.now() - upAt;
    const firstBack = answers.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    running = false;
    await load;

    const down = answers.filter((answer) => answer.phase === "down");
    const refused = down.filter((answer) => answer.status === 503);
    console.info(
      `postgres restart: ${answers.filter((answer) => answer.phase === "before").length} calls before; PostgreSQL down ${((upAt - downAt) / 1000).toFixed(1)} s: ` +
        `${down.length} calls, ${refused.length} answered 503 (Retry-After ${[...new Set(refused.map((answer) => answer.retryAfter))].join(", ")}), ` +
        `${down.length - refused.length} answered from the cache; back in ${recoveredAfter} ms; ${answers.length - firstBack} calls after, ` +
        `statuses ${[...new Set(answers.slice(firstBack).map((answer) => answer.status))].join(", ")}`,
    );
    // Meanwhile: a 503 that says when to come back, or an answer from the cache; never another error.
    expect(new Set(down.map((answer) => answer.status))).toEqual(new Set(down.some((answer) => answer.status === 200) ? [200, 503] : [503]));
    for (const answer of refused) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.phase !== "down" && ![200, 201, 503].includes(answer.status))).toEqual([]);
    // After the recovery, everything is answered again, by the same process.
    expect(answers.slice(firstBack).filter((answer) => answer.status !== 200 && answer.status !== 201)).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${baseUrl}/api/health`)).status).toBe(200);
    // Every acknowledged create is stored.
    const stored = new Set((await readState(database.url, application.id)).sessions.map((row) => row.id));
    for (const answer of answers) if (answer.status === 201) expect(stored.has(answer.sessionId!), answer.sessionId).toBe(true);
  } finally {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
