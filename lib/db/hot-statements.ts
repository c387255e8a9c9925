import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { OAuthStateRecord, UserProfile } from "../sessions/repository";
import type { AuditEventInput, SessionRecord, UserRecord } from "../sessions/types";
import { auditEventRow } from "./audit";
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
  /**
   * A new session, its user (created, or given the profile's email and name) and its audit
   * events, in one transaction: the writes of a sign-in, without Prisma's per-query cost.
   * "disabled" when the user is disabled (nothing written); "fallback" when this path cannot
   * take the write (on SQLite, Prisma holds the write lock; an email another user has): the
   * caller then writes through Prisma, which handles those cases.
   */
  insertSession(session: SessionRecord, events: AuditEventInput[], profile?: UserProfile): Promise<HotInsertOutcome>;
  /** An OAuth state and its audit event, in one transaction ("fallback" as for insertSession). */
  insertOAuthState(state: OAuthStateRecord, event: AuditEventInput): Promise<HotInsertOutcome>;
  /** The connection pool's state (PostgreSQL only). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export type HotInsertOutcome = "inserted" | "disabled" | "fallback";


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

const AUDIT_COLUMNS = ["appId", "at", "type", "actorType", "actorId", "actorLabel", "sessionId", "userId", "details"] as const;
const quoted = (columns: readonly string[]) => columns.map((column) => `"${column}"`).join(", ");
/** The user row of a sign-in: created if new; with a profile, the email and name given (not null) set when they differ. */
const UPSERT_USER = `INSERT INTO "User" ("appId", "id", "email", "name", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5, $5)
  ON CONFLICT ("appId", "id") DO UPDATE SET "email" = COALESCE(excluded."email", "User"."email"), "name" = COALESCE(excluded."name", "User"."name"), "updatedAt" = excluded."updatedAt"
  WHERE (excluded."email" IS NOT NULL AND excluded."email" IS DISTINCT FROM "User"."email") OR (excluded."name" IS NOT NULL AND excluded."name" IS DISTINCT FROM "User"."name")`;
const INSERT_USER = `INSERT INTO "User" ("appId", "id", "createdAt", "updatedAt") VALUES ($1, $2, $3, $3) ON CONFLICT ("appId", "id") DO NOTHING`;
/** The values of UPSERT_USER with a profile, or of INSERT_USER without. */
function userValues(session: SessionRecord, profile: UserProfile | undefined, at: unknown): unknown[] {
  return profile && (profile.email || profile.name) ? [session.appId, session.userId, profile.email || null, profile.name || null, at] : [session.appId, session.userId, at];
}
const USER_DISABLED = `SELECT 1 AS "disabled" FROM "User" WHERE "appId" = $1 AND "id" = $2 AND "disabledAt" IS NOT NULL`;
const INSERT_SESSION = `INSERT INTO "Session" (${quoted(SESSION_COLUMNS)}) VALUES (${SESSION_COLUMNS.map((_, index) => `$${index + 1}`).join(", ")})`;
const STATE_COLUMNS = ["id", "appId", "secretHash", "data", "createdAt", "expiresAt", "consumedAt"] as const;
const INSERT_STATE = `INSERT INTO "OAuthState" (${quoted(STATE_COLUMNS)}) VALUES (${STATE_COLUMNS.map((_, index) => `$${index + 1}`).join(", ")})`;
const INSERT_AUDIT = `INSERT INTO "AuditEvent" (${quoted(AUDIT_COLUMNS)}) VALUES (${AUDIT_COLUMNS.map((_, index) => `$${index + 1}`).join(", ")})`;

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

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
  const writes = sqliteSignInWriter(file);
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
    insertSession: (session, events, profile) => writes.insert(session, events, profile),
    insertOAuthState: (state, event) => writes.insertState(state, event),
    async close() {
      db?.close();
      writes.close();
    },
  };
}

interface PendingInsert {
  write: () => HotInsertOutcome;
  done: (outcome: HotInsertOutcome) => void;
  failed: (error: unknown) => void;
}

/**
 * Sign-ins on SQLite, committed together. Every commit waits for the disk (about 2 ms here), and
 * SQLite has one writer: one transaction per sign-in caps them near 450 a second whatever else
 * is done. Inserts that arrive while one is being written are queued and written in the next
 * transaction, each inside its own savepoint (one that fails is undone alone), with one commit
 * for all: they are answered only once that commit is on disk. The connection never waits for
 * the write lock (busy timeout 0): if Prisma's connection holds it, in one of its transactions
 * that span several turns of the event loop, the batch is handed back to Prisma instead.
 */
function sqliteSignInWriter(file: string) {
  let db: BetterSqlite3.Database | null = null;
  type Prepared = { statement: BetterSqlite3.Statement<unknown[]>; bind: (values: unknown[]) => unknown[] };
  let statements: Record<"upsertUser" | "insertUser" | "disabled" | "session" | "audit" | "state", Prepared> | null = null;
  const queue: PendingInsert[] = [];
  let scheduled = false;
  let closed = false;
  // better-sqlite3 binds only anonymous `?` by position: $n becomes `?`, with its value repeated in order.
  const positional = (sql: string): Prepared => {
    const order = [...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]) - 1);
    return { statement: db!.prepare(sql.replace(/\$\d+/g, "?")), bind: (values) => order.map((index) => values[index]) };
  };
  const sqliteValue = (value: unknown) => (value instanceof Date ? value.getTime() : value);

  function open() {
    if (!statements) {
      db = new BetterSqlite3(file, { timeout: 0, fileMustExist: true });
      statements = {
        upsertUser: positional(UPSERT_USER),
        insertUser: positional(INSERT_USER),
        disabled: positional(USER_DISABLED),
        session: positional(INSERT_SESSION),
        audit: positional(INSERT_AUDIT),
        state: positional(INSERT_STATE),
      };
    }
    return statements;
  }

  function writeEvents(events: AuditEventInput[]) {
    const prepared = open();
    for (const event of events) {
      const row = auditEventRow(event);
      prepared.audit.statement.run(...AUDIT_COLUMNS.map((column) => sqliteValue(row[column])));
    }
  }

  function writeSignIn(session: SessionRecord, events: AuditEventInput[], profile?: UserProfile): HotInsertOutcome {
    const prepared = open();
    const user = userValues(session, profile, session.createdAt.getTime());
    const upsert = user.length === 5 ? prepared.upsertUser : prepared.insertUser;
    try {
      upsert.statement.run(...upsert.bind(user));
    } catch (error) {
      // Another user of the application has this email: Prisma's path keeps it theirs.
      if (isUniqueViolation(error)) return "fallback";
      throw error;
    }
    if (prepared.disabled.statement.get(...prepared.disabled.bind([session.appId, session.userId]))) return "disabled";
    prepared.session.statement.run(...SESSION_COLUMNS.map((column) => sqliteValue(session[column as keyof SessionRecord])));
    writeEvents(events);
    return "inserted";
  }

  function writeState(state: OAuthStateRecord, event: AuditEventInput): HotInsertOutcome {
    open().state.statement.run(...STATE_COLUMNS.map((column) => sqliteValue(state[column])));
    writeEvents([event]);
    return "inserted";
  }

  function enqueue(write: () => HotInsertOutcome): Promise<HotInsertOutcome> {
    return new Promise((done, failed) => {
      queue.push({ write, done, failed });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  }

  /**
   * Writes the queued items in one transaction and settles every one of them, whatever fails:
   * an item whose statement fails is undone alone (its savepoint); an error that undoes the whole
   * transaction (a disk error, say) fails the items written before it, and the rest go to Prisma.
   */
  function flush() {
    scheduled = false;
    const batch = queue.splice(0);
    if (batch.length === 0) return;
    const settled = new Set<PendingInsert>();
    const settle = (item: PendingInsert, outcome: HotInsertOutcome | { error: unknown }) => {
      if (settled.has(item)) return;
      settled.add(item);
      if (typeof outcome === "string") item.done(outcome);
      else item.failed(outcome.error);
    };
    try {
      if (closed) {
        for (const item of batch) settle(item, "fallback");
        return;
      }
      try {
        open();
        db!.exec("BEGIN IMMEDIATE");
      } catch (error) {
        for (const item of batch) settle(item, (error as { code?: string }).code === "SQLITE_BUSY" ? "fallback" : { error });
        return;
      }
      const written: [PendingInsert, HotInsertOutcome][] = [];
      let lost: unknown = null;
      for (const item of batch) {
        if (lost !== null) {
          settle(item, "fallback");
          continue;
        }
        db!.exec("SAVEPOINT sign_in");
        let outcome: HotInsertOutcome | { error: unknown };
        try {
          outcome = item.write();
        } catch (error) {
          outcome = { error };
        }
        if (!db!.inTransaction) {
          // The whole transaction is gone: what this batch wrote so far with it.
          lost = typeof outcome === "string" ? new Error("The sign-in's transaction was rolled back.") : outcome.error;
          for (const [done] of written) settle(done, { error: lost });
          settle(item, { error: lost });
          continue;
        }
        if (outcome === "inserted") db!.exec("RELEASE sign_in");
        else db!.exec("ROLLBACK TO sign_in; RELEASE sign_in");
        if (typeof outcome === "string" && outcome !== "inserted") settle(item, outcome);
        else if (typeof outcome === "string") written.push([item, outcome]);
        else settle(item, outcome);
      }
      if (lost !== null) return;
      try {
        db!.exec("COMMIT");
      } catch (error) {
        if (db!.inTransaction) db!.exec("ROLLBACK");
        for (const [item] of written) settle(item, { error });
        return;
      }
      for (const [item, outcome] of written) settle(item, outcome);
    } catch (error) {
      if (db?.inTransaction) {
        try {
          db.exec("ROLLBACK");
        } catch {
          // The connection is unusable; the items below are answered all the same.
        }
      }
      for (const item of batch) settle(item, { error });
    }
  }

  return {
    insert(session: SessionRecord, events: AuditEventInput[], profile?: UserProfile): Promise<HotInsertOutcome> {
      return enqueue(() => writeSignIn(session, events, profile));
    },
    insertState(state: OAuthStateRecord, event: AuditEventInput): Promise<HotInsertOutcome> {
      return enqueue(() => writeState(state, event));
    },
    /** Items queued or arriving after this go to Prisma; the connection is not opened again. */
    close() {
      closed = true;
      db?.close();
    },
  };
}

/** Types of the parameters of an INSERT … SELECT, which PostgreSQL cannot infer from a SELECT list. */
const CASTS: Record<string, string> = {
  ...Object.fromEntries(["createdAt", "startedAt", "lastSeenAt", "authenticatedAt", "idleExpiresAt", "absoluteExpiresAt", "revokedAt"].map((column) => [column, "::timestamp(3)"])),
  idleTimeoutSeconds: "::integer",
  "audit.at": "::timestamp(3)",
};

/** PostgreSQL stores Prisma's DateTime as `timestamp(3)` in UTC, without a zone. */
const TIMESTAMP_OID = 1114;
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP_OID) return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

function postgresStatements(connectionString: string): HotStatements {
  // Bounded waits: a locked row or a stuck server answers 503 (lib/api/handler.ts) rather than
  // holding the pool, which every resolve of the process shares.
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    allowExitOnIdle: true,
    types: pgTypes as pg.CustomTypesConfig,
    connectionTimeoutMillis: 5_000,
    lock_timeout: 2_000,
    statement_timeout: 10_000,
  });
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
    async insertSession(session, events, profile) {
      // One statement, so one round trip and its own transaction: the user, the session unless
      // the user is disabled, and the session's audit events only if the session went in. The
      // user's row is locked only when the email or name given differs from it: one user's
      // sign-ins do not wait for each other (nor hold the pool) when nothing of theirs changes.
      const values: unknown[] = [session.appId, session.userId, profile?.email || null, profile?.name || null, stamp(session.createdAt)];
      const param = (value: unknown) => {
        values.push(value instanceof Date ? stamp(value) : value);
        return `$${values.length}`;
      };
      const sessionValues = SESSION_COLUMNS.map((column) => `${param(session[column as keyof SessionRecord])}${CASTS[column] ?? ""}`).join(", ");
      const audits = events.map((event, index) => {
        const row = auditEventRow(event);
        const columns = AUDIT_COLUMNS.map((column) => `${param(row[column])}${CASTS[`audit.${column}`] ?? ""}`).join(", ");
        return `, a${index} AS (INSERT INTO "AuditEvent" (${quoted(AUDIT_COLUMNS)}) SELECT ${columns} FROM s)`;
      });
      const text = `WITH n AS (INSERT INTO "User" ("appId", "id", "email", "name", "createdAt", "updatedAt")
                     VALUES ($1, $2, $3::text, $4::text, $5::timestamp(3), $5::timestamp(3)) ON CONFLICT ("appId", "id") DO NOTHING),
        p AS (UPDATE "User" SET "email" = COALESCE($3::text, "email"), "name" = COALESCE($4::text, "name"), "updatedAt" = $5::timestamp(3)
              WHERE "appId" = $1 AND "id" = $2 AND "disabledAt" IS NULL
                AND (($3::text IS NOT NULL AND "email" IS DISTINCT FROM $3::text) OR ($4::text IS NOT NULL AND "name" IS DISTINCT FROM $4::text))),
        s AS (INSERT INTO "Session" (${quoted(SESSION_COLUMNS)}) SELECT ${sessionValues}
              WHERE NOT EXISTS (SELECT 1 FROM "User" WHERE "appId" = $1 AND "id" = $2 AND "disabledAt" IS NOT NULL) RETURNING "id")${audits.join("")}
        SELECT count(*)::int AS "inserted" FROM s`;
      try {
        const result = await pool.query({ name: `latchkey_sign_in_${events.length}`, text, values });
        return (result.rows[0] as { inserted: number }).inserted === 1 ? "inserted" : "disabled";
      } catch (error) {
        if (isUniqueViolation(error)) return "fallback";
        throw error;
      }
    },
    async insertOAuthState(state, event) {
      const values: unknown[] = [];
      const param = (value: unknown, cast = "") => {
        values.push(value instanceof Date ? stamp(value) : value);
        return `$${values.length}${cast}`;
      };
      const row = auditEventRow(event);
      const stateValues = STATE_COLUMNS.map((column) => param(state[column], ["createdAt", "expiresAt", "consumedAt"].includes(column) ? "::timestamp(3)" : "")).join(", ");
      const eventValues = AUDIT_COLUMNS.map((column) => param(row[column], column === "at" ? "::timestamp(3)" : "")).join(", ");
      await pool.query({
        name: "latchkey_oauth_state",
        text: `WITH s AS (INSERT INTO "OAuthState" (${quoted(STATE_COLUMNS)}) VALUES (${stateValues}) RETURNING "id")
               INSERT INTO "AuditEvent" (${quoted(AUDIT_COLUMNS)}) SELECT ${eventValues} FROM s`,
        values,
      });
      return "inserted";
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
