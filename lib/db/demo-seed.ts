import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { DEFAULT_APP_ID } from "../sessions/policy";
import { parseUserAgent } from "../sessions/user-agent";
import { parseDatabaseUrl } from "./url";

/**
 * Fills a migrated database with realistic demo sessions, fast: raw prepared statements in large
 * transactions rather than Prisma, so a million rows take seconds, not minutes. The sessions'
 * secrets are random and never returned: demo sessions cannot be used, only looked at.
 */

const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
  "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
  "MyApp/4.2 (iPhone; iOS 17.5; Scale/3.00)",
];
const LABELS = ["Work laptop", "Home desktop", "Kitchen iPad", "Phone", "Office PC", null, null, null, null, null];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SeedOptions {
  sessions: number;
  users?: number;
  tenants?: number;
  now?: Date;
  /** The application the sessions and users belong to ("default" unless named; it must exist). */
  appId?: string;
  /** Called after each batch with the number of sessions written so far. */
  onProgress?: (written: number) => void;
}

export interface DemoSession {
  id: string;
  userId: string;
  tenantId: string;
  ip: string;
}

function random(seed: number): () => number {
  // mulberry32: a small deterministic generator, so demo data is the same on every run.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLUMNS = [
  "id", "appId", "secretHash", "userId", "kind", "tenantId", "roles", "deviceLabel", "userAgent", "browser", "os", "deviceType", "ip", "metadata",
  "createdAt", "startedAt", "lastSeenAt", "authenticatedAt", "idleTimeoutSeconds", "idleExpiresAt", "absoluteExpiresAt", "revokedAt", "revokedReason",
  "revokedBy", "revokeNote", "familyId",
] as const;

/** Rows of demo sessions, generated lazily in batches. */
function* demoRows(options: Required<Omit<SeedOptions, "onProgress">>, batchSize: number) {
  const next = random(20261126);
  const parsed = USER_AGENTS.map((agent) => parseUserAgent(agent));
  const now = options.now.getTime();
  let batch: unknown[][] = [];
  for (let i = 0; i < options.sessions; i++) {
    const id = randomBytes(16).toString("base64url");
    const user = Math.floor(next() * options.users);
    const agentIndex = Math.floor(next() * USER_AGENTS.length);
    const agent = parsed[agentIndex]!;
    const roll = next();
    const kind = roll < 0.9 ? "user" : roll < 0.98 ? "guest" : "service";
    const createdAt = now - Math.floor(next() * 30 * DAY);
    const idle = 30 * 60;
    const fate = next();
    let lastSeen: number;
    let absolute = createdAt + 30 * DAY;
    let revokedAt: number | null = null;
    let revokedReason: string | null = null;
    if (fate < 0.6) {
      // active: seen within the idle timeout
      lastSeen = now - Math.floor(next() * idle * 1000 * 0.9);
      if (absolute <= now) absolute = now + Math.floor(next() * DAY) + HOUR;
    } else if (fate < 0.75) {
      // idle-expired
      lastSeen = Math.min(now - idle * 1000 - Math.floor(next() * 5 * DAY), Math.max(createdAt, now - idle * 1000 - 1));
      if (absolute <= now) absolute = now + HOUR;
    } else if (fate < 0.85) {
      // absolute-expired
      absolute = now - Math.floor(next() * 10 * DAY) - 1000;
      lastSeen = Math.max(createdAt, absolute - Math.floor(next() * idle * 1000));
    } else {
      // revoked
      lastSeen = createdAt + Math.floor((now - createdAt) * next());
      revokedAt = lastSeen + 1000;
      revokedReason = ["REVOKED", "SIGNED_OUT", "LOGGED_OUT_EVERYWHERE", "ROTATED"][Math.floor(next() * 4)]!;
    }
    lastSeen = Math.max(lastSeen, createdAt);
    const idleExpires = Math.min(lastSeen + idle * 1000, absolute);
    const userId = kind === "guest" ? `guest_demo${i}` : `user_${user}`;
    batch.push([
      id, options.appId, randomBytes(32).toString("base64url"), userId, kind, `tenant-${Math.floor(next() * options.tenants)}`, kind === "service" ? '["automation"]' : "[]",
      LABELS[Math.floor(next() * LABELS.length)] ?? null, USER_AGENTS[agentIndex]!, agent.browser, agent.os, agent.deviceType,
      `${10 + Math.floor(next() * 200)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`, "{}",
      createdAt, createdAt, lastSeen, createdAt, idle, idleExpires, absolute, revokedAt, revokedReason, revokedAt ? "system:demo" : null, null, id,
    ]);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function userIds(options: Required<Omit<SeedOptions, "onProgress">>): string[] {
  return Array.from({ length: options.users }, (_, index) => `user_${index}`);
}

/** Writes demo users and sessions into the database at `url` (already migrated). */
export async function seedDemoData(url: string | undefined, input: SeedOptions): Promise<{ sessions: number; users: number }> {
  const options = {
    ...input,
    users: input.users ?? Math.max(1, Math.round(input.sessions / 5)),
    appId: input.appId ?? DEFAULT_APP_ID,
    tenants: input.tenants ?? 20,
    now: input.now ?? new Date(),
  };
  const { onProgress, ...config } = options;
  const target = parseDatabaseUrl(url);
  let written = 0;
  if (target.provider === "sqlite") {
    const db = new Database(target.location, { timeout: 10_000 });
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // Fourteen indexes take random inserts: a large page cache keeps them in memory while seeding.
      db.pragma("cache_size = -524288");
      db.pragma("wal_autocheckpoint = 100000");
      const now = config.now.getTime();
      const insertUser = db.prepare(`INSERT OR IGNORE INTO "User" ("appId", "id", "email", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)`);
      db.transaction(() => {
        for (const [index, id] of userIds(config).entries()) insertUser.run(config.appId, id, index % 10 === 0 ? `${id}@demo.example` : null, now, now);
      })();
      const insertSession = db.prepare(`INSERT INTO "Session" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`);
      const guests = db.prepare(`INSERT OR IGNORE INTO "User" ("appId", "id", "createdAt", "updatedAt") VALUES (?, ?, ?, ?)`);
      const [kindAt, userAt, createdAt] = [COLUMNS.indexOf("kind"), COLUMNS.indexOf("userId"), COLUMNS.indexOf("createdAt")];
      const writeBatch = db.transaction((rows: unknown[][]) => {
        for (const row of rows) {
          if (row[kindAt] === "guest") guests.run(config.appId, row[userAt], row[createdAt], row[createdAt]);
          insertSession.run(...row);
        }
      });
      for (const rows of demoRows(config, 20_000)) {
        writeBatch(rows);
        written += rows.length;
        onProgress?.(written);
      }
      db.exec("ANALYZE");
    } finally {
      db.close();
    }
    return { sessions: written, users: config.users };
  }

  const client = new pg.Client({ connectionString: target.location });
  await client.connect();
  try {
    const ids = userIds(config);
    for (let i = 0; i < ids.length; i += 10_000) {
      const chunk = ids.slice(i, i + 10_000);
      await client.query(
        `INSERT INTO "User" ("appId", "id", "email", "createdAt", "updatedAt") SELECT $2, id, CASE WHEN n % 10 = 0 THEN id || '@demo.example' END, now(), now()
         FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) ON CONFLICT DO NOTHING`,
        [chunk, config.appId],
      );
    }
    const types = ["text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "bigint", "bigint", "bigint", "bigint", "int", "bigint", "bigint", "bigint", "text", "text", "text", "text"];
    const timeColumns = new Set(["createdAt", "startedAt", "lastSeenAt", "authenticatedAt", "idleExpiresAt", "absoluteExpiresAt", "revokedAt"]);
    const select = COLUMNS.map((column, index) =>
      timeColumns.has(column) ? `CASE WHEN c${index} IS NULL THEN NULL ELSE to_timestamp(c${index} / 1000.0) AT TIME ZONE 'UTC' END` : `c${index}`,
    ).join(", ");
    const sql = `INSERT INTO "Session" (${COLUMNS.map((c) => `"${c}"`).join(", ")})
      SELECT ${select} FROM unnest(${COLUMNS.map((_, index) => `$${index + 1}::${types[index]}[]`).join(", ")}) AS t(${COLUMNS.map((_, index) => `c${index}`).join(", ")})`;
    for (const rows of demoRows(config, 10_000)) {
      const guestIds = rows.filter((row) => row[COLUMNS.indexOf("kind")] === "guest").map((row) => row[COLUMNS.indexOf("userId")] as string);
      await client.query("BEGIN");
      if (guestIds.length > 0) {
        await client.query(`INSERT INTO "User" ("appId", "id", "createdAt", "updatedAt") SELECT $2, id, now(), now() FROM unnest($1::text[]) AS t(id) ON CONFLICT DO NOTHING`, [guestIds, config.appId]);
      }
      await client.query(sql, COLUMNS.map((_, index) => rows.map((row) => row[index])));
      await client.query("COMMIT");
      written += rows.length;
      onProgress?.(written);
    }
    await client.query(`ANALYZE "Session"`);
    await client.query(`ANALYZE "User"`);
  } finally {
    await client.end();
  }
  return { sessions: written, users: config.users };
}
