import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { SessionRecord, UserRecord } from "../sessions/types";
import { parseDatabaseUrl } from "./url";

/** An API key's row as the hot path checks it: the hash of its secret, never the secret. */
export interface ApiKeyRow {
  id: string;
  appId: string;
  name: string;
  scopes: string;
  secretHash: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * The reads every resolve makes (and, on PostgreSQL, its touch), as prepared statements on the
 * same database Prisma uses. Prisma's per-query cost (about 0.6 ms of CPU) is thirty times a prepared
 * statement's; everything else keeps going through Prisma.
 */
export interface HotStatements {
  findSessionWithUser(id: string): Promise<{ session: SessionRecord; user: UserRecord } | null>;
  /**
   * The same condition as SessionRepository.touchSession: live at `now`, last seen at or before
   * `staleBefore`. PostgreSQL only: on SQLite a second writing connection would wait, blocking
   * the event loop, for Prisma's open transactions to end, which need that loop to end; there
   * the touch stays on Prisma's connection (at most one write per session per touch interval).
   */
  touchSession?(id: string, now: Date, staleBefore: Date, idleExpiresAt: Date): Promise<boolean>;
  /** Ids of a user's unrevoked sessions (to drop them from shared caches). */
  unrevokedSessionIds(appId: string, userId: string): Promise<string[]>;
  findApiKey(id: string): Promise<ApiKeyRow | null>;
  /** The connection pool's state (PostgreSQL only). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

const SESSION_COLUMNS = [
  "id",
  "appId",
  "secretHash",
  "userId",
  "kind",
  "tenantId",
  "roles",
  "deviceLabel",
  "userAgent",
  "browser",
  "os",
  "deviceType",
  "ip",
  "metadata",
  "createdAt",
  "startedAt",
  "lastSeenAt",
  "authenticatedAt",
  "idleTimeoutSeconds",
  "idleExpiresAt",
  "absoluteExpiresAt",
  "revokedAt",
  "revokedReason",
  "revokedBy",
  "revokeNote",
  "familyId",
  "rotatedFromId",
  "rotatedToId",
  "guestUserId",
] as const;
const SESSION_DATE_COLUMNS = ["createdAt", "startedAt", "lastSeenAt", "authenticatedAt", "idleExpiresAt", "absoluteExpiresAt", "revokedAt"] as const;
const USER_COLUMNS = ["email", "name", "consoleRole", "mustChangePassword", "disabledAt", "disabledReason", "createdAt"] as const;

const SELECT_SESSION_WITH_USER = `SELECT ${SESSION_COLUMNS.map((c) => `s."${c}"`).join(", ")}, ${USER_COLUMNS.map((c) => `u."${c}" AS "u_${c}"`).join(", ")}
  FROM "Session" s JOIN "User" u ON u."appId" = s."appId" AND u."id" = s."userId" WHERE s."id" = $1`;
// SQLite: two primary-key lookups. The join can be planned as a scan of "User" when the table's
// statistics were gathered while it was nearly empty (PRAGMA optimize at the first start).
const SELECT_SESSION = `SELECT ${SESSION_COLUMNS.map((c) => `"${c}"`).join(", ")} FROM "Session" WHERE "id" = $1`;
const SELECT_USER = `SELECT ${USER_COLUMNS.map((c) => `"${c}" AS "u_${c}"`).join(", ")} FROM "User" WHERE "appId" = $1 AND "id" = $2`;
const TOUCH = `UPDATE "Session" SET "lastSeenAt" = $2, "idleExpiresAt" = $3
  WHERE "id" = $1 AND "revokedAt" IS NULL AND "idleExpiresAt" > $4 AND "absoluteExpiresAt" > $4 AND "lastSeenAt" <= $5`;
const UNREVOKED_IDS = `SELECT "id" FROM "Session" WHERE "appId" = $1 AND "userId" = $2 AND "revokedAt" IS NULL`;
const API_KEY = `SELECT "id", "appId", "name", "scopes", "secretHash", "createdAt", "createdBy", "lastUsedAt", "revokedAt" FROM "ApiKey" WHERE "id" = $1`;

type Row = Record<string, unknown>;
type DateOf = (value: unknown) => Date | null;

/**
 * A session and its user from one row (PostgreSQL's join) or two (SQLite's lookups). A row that
 * holds the session's columns only is turned into the record in place: rows are built by the
 * driver for this call alone, and copying thirty columns costs as much as reading them.
 */
function records(row: Row, owner: Row, date: DateOf, inPlace: boolean): { session: SessionRecord; user: UserRecord } {
  const session: Row = inPlace ? row : {};
  if (!inPlace) for (const column of SESSION_COLUMNS) session[column] = row[column];
  for (const column of SESSION_DATE_COLUMNS) session[column] = date(row[column]);
  session.idleTimeoutSeconds = Number(row.idleTimeoutSeconds);
  const user: UserRecord = {
    appId: row.appId as string,
    id: row.userId as string,
    email: owner.u_email as string | null,
    name: owner.u_name as string | null,
    consoleRole: owner.u_consoleRole as string | null,
    mustChangePassword: Boolean(owner.u_mustChangePassword),
    disabledAt: date(owner.u_disabledAt),
    disabledReason: owner.u_disabledReason as string | null,
    createdAt: date(owner.u_createdAt) as Date,
  };
  return { session: session as unknown as SessionRecord, user };
}

function apiKeyRow(row: Row | undefined, date: DateOf): ApiKeyRow | null {
  if (!row) return null;
  return {
    id: row.id as string,
    appId: row.appId as string,
    name: row.name as string,
    scopes: row.scopes as string,
    secretHash: row.secretHash as string,
    createdAt: date(row.createdAt) as Date,
    createdBy: row.createdBy as string | null,
    lastUsedAt: date(row.lastUsedAt),
    revokedAt: date(row.revokedAt),
  };
}

/** SQLite keeps Prisma's timestamps as milliseconds since the epoch (timestampFormat unixepoch-ms). */
function sqliteStatements(file: string): HotStatements {
  let db: BetterSqlite3.Database | null = null;
  // better-sqlite3 binds only anonymous `?` by position: $n becomes `?`, with its value repeated in order.
  type Prepared = ReturnType<typeof positional>;
  function positional(sql: string) {
    const order = [...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]) - 1);
    const statement = db!.prepare(sql.replace(/\$\d+/g, "?"));
    return { statement, bind: (...values: unknown[]) => order.map((index) => values[index]) };
  }
  // Opened and prepared on first use: the file and its tables exist once the server has migrated it.
  let prepared: { session: Prepared; user: Prepared; unrevoked: Prepared; apiKey: Prepared } | null = null;
  const statements = () => {
    if (!prepared) {
      // Reads only: in WAL mode they never wait for a writer.
      db = new BetterSqlite3(file, { timeout: 2_000, fileMustExist: true });
      prepared = { session: positional(SELECT_SESSION), user: positional(SELECT_USER), unrevoked: positional(UNREVOKED_IDS), apiKey: positional(API_KEY) };
      prepared.unrevoked.statement.pluck();
    }
    return prepared;
  };
  const date: DateOf = (value) => (value === null || value === undefined ? null : new Date(Number(value)));
  return {
    async findSessionWithUser(id) {
      const { session, user } = statements();
      const row = session.statement.get(id) as Row | undefined;
      if (!row) return null;
      const owner = user.statement.get(...user.bind(row.appId, row.userId)) as Row | undefined;
      return owner ? records(row, owner, date, true) : null;
    },
    async unrevokedSessionIds(appId, userId) {
      const { unrevoked } = statements();
      return unrevoked.statement.all(...unrevoked.bind(appId, userId)) as string[];
    },
    async findApiKey(id) {
      return apiKeyRow(statements().apiKey.statement.get(id) as Row | undefined, date);
    },
    async close() {
      db?.close();
    },
  };
}

/** PostgreSQL stores Prisma's DateTime as `timestamp(3)` in UTC, without a zone. */
const TIMESTAMP_OID = 1114;
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP_OID) return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

function postgresStatements(connectionString: string): HotStatements {
  const pool = new pg.Pool({ connectionString, max: 10, allowExitOnIdle: true, types: pgTypes as pg.CustomTypesConfig });
  // An idle connection the server closed (a restart, a failover) is replaced on next use; without
  // a listener its error would end the process.
  pool.on("error", () => undefined);
  const date: DateOf = (value) => (value === null || value === undefined ? null : (value as Date));
  const stamp = (value: Date) => value.toISOString().replace("T", " ").replace("Z", "");
  return {
    async findSessionWithUser(id) {
      const result = await pool.query({ name: "latchkey_session_with_user", text: SELECT_SESSION_WITH_USER, values: [id] });
      return result.rows[0] ? records(result.rows[0] as Row, result.rows[0] as Row, date, false) : null;
    },
    async touchSession(id, now, staleBefore, idleExpiresAt) {
      const result = await pool.query({
        name: "latchkey_touch",
        text: TOUCH,
        values: [id, stamp(now), stamp(idleExpiresAt), stamp(now), stamp(staleBefore)],
      });
      return result.rowCount === 1;
    },
    async unrevokedSessionIds(appId, userId) {
      const result = await pool.query({ name: "latchkey_unrevoked_ids", text: UNREVOKED_IDS, values: [appId, userId] });
      return result.rows.map((row: Row) => row.id as string);
    },
    async findApiKey(id) {
      const result = await pool.query({ name: "latchkey_api_key", text: API_KEY, values: [id] });
      return apiKeyRow(result.rows[0] as Row | undefined, date);
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

/** Prepared statements on the database a DATABASE_URL names (see parseDatabaseUrl). */
export function openHotStatements(url?: string): HotStatements {
  const target = parseDatabaseUrl(url);
  return target.provider === "postgresql" ? postgresStatements(target.location) : sqliteStatements(target.location);
}
