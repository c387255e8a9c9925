import type { AuditEventWhereInput, SessionWhereInput } from "../../generated/sqlite/models.ts";
import { ALL_APPS, type AppScope, type ApplicationRecord, type SessionLimitAction, type SessionPolicy } from "../sessions/policy";
import type {
  AuditEventFilter,
  OAuthStateRecord,
  RevocationFields,
  RevocationTarget,
  SessionLimitCheck,
  SessionRepository,
  SweepCursor,
  SweptSessionRecord,
  UserProfile,
} from "../sessions/repository";
import { ENDING_REASONS, type AuditEventInput, type AuditEventView, type SessionFilter, type SessionPageRequest, type SessionRecord, type SessionSortField, type SessionStatus, type SweepCounts, type UserRecord } from "../sessions/types";
import { parseJson } from "../sessions/context";
import { auditEventRow } from "./audit";
import type { Database, Db } from "./client";
import { escapeLike, textMatchers } from "./text-match";
import { searchUsers } from "./user-search";
import type { RefusalView } from "../sessions/refusal-log";
import type { DatabaseProvider } from "./url";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const USER_FIELDS = {
  appId: true,
  id: true,
  email: true,
  name: true,
  consoleRole: true,
  mustChangePassword: true,
  disabledAt: true,
  disabledReason: true,
  createdAt: true,
} as const;

const BY_INDEX: SweepCursor = { by: "index" };
/** Up to how many live sessions a PostgreSQL list of live sessions reads them all rather than walk its order (see fewLiveKeys). */
const FEW_LIVE = 50_000;
/** How far along its order a list of live sessions looks before it walks it (see fewLiveKeys). */
const WALK_PROBE = 2_000;
/** How far along its order a list of live sessions reads to see that a walk is short (see fewLiveKeys). */
const WALK_READ_MAX = 20_000;
/** A sweep walks PostgreSQL's table page by page when at least this many sessions, and this share of the table, are to go. */
const PAGE_WALK_MIN_ROWS = 10_000;
const PAGE_WALK_MIN_SHARE = 0.2;
/** The most pages one batch of a page walk reads (16 MB), however sparse the table's rows. */
const PAGE_WALK_MAX_PAGES = 2_000;
/** How many stretches of the table a page walk goes through at once. */
const PAGE_WALK_LANES = 3;
/** Advisory lock key held by a PostgreSQL sweep batch. */
const SWEEP_LOCK = 7_301_246;
/**
 * SQLite rebuilds the Session table for a sweep (see rebuildSessions) when at least this many
 * sessions are to go, no fewer than it keeps, and it keeps at most REBUILD_MAX_KEPT (the rows
 * copied and indexed again while writers wait) and sweeps at most REBUILD_MAX_SWEPT (about 7 s
 * of writers waiting on two cores).
 */
const REBUILD_MIN_ROWS = 10_000;
const REBUILD_MAX_KEPT = 50_000;
const REBUILD_MAX_SWEPT = 1_000_000;
/** Rows of the Session table (by rowid) per statement of a rebuild, a few milliseconds each. */
const REBUILD_SLICE = 2_500;
/** How long a rebuild's transaction may take (about 5 s a million sessions on 2 cores). */
const REBUILD_TIMEOUT_MS = 600_000;
/** The start of the Session table's definition in SQLite's schema. */
const SESSION_TABLE_SQL = /^CREATE TABLE "Session" \(/;

/** Rows of a table per statement when SQLite aggregates over all of them. */
const SCAN_SLICE = 10_000;
/** Rows of a table per statement when SQLite deletes through all of them, about 10 ms each. */
const DELETE_SLICE = 2_500;
/** Past this many distinct actors (or applications) in the audit log, its filters match them in the log itself. */
const DISTINCT_AUDIT_VALUES = 2_000;
/** Up to this many actor labels matching the audit log's actor filter are read one by one. */
const LABELS_READ_APART = 20;

/** Unrevoked and before both expiries at `now`. */
function liveAt(now: Date): SessionWhereInput {
  return { revokedAt: null, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } };
}

/** The rows of one application, or of every one. */
function inApp(app: AppScope): { appId?: string } {
  return app === ALL_APPS ? {} : { appId: app };
}

function toApplication(row: ApplicationRecord | (Omit<ApplicationRecord, "sessionLimitAction"> & { sessionLimitAction: string }) | null): ApplicationRecord | null {
  return row ? { ...row, sessionLimitAction: row.sessionLimitAction as SessionLimitAction } : null;
}

function statusWhere(status: SessionStatus, now: Date, provider: DatabaseProvider): SessionWhereInput {
  switch (status) {
    case "active":
      return liveAt(now);
    case "idle-expired":
      return { revokedAt: null, idleExpiresAt: { lte: now }, absoluteExpiresAt: { gt: now } };
    case "absolute-expired":
      // On SQLite, a plain range would steer the planner to the expiry index and a sort of every
      // expired row; NOT (… > now) means the same and lets it walk the sort order's index instead.
      return provider === "sqlite"
        ? { revokedAt: null, NOT: { absoluteExpiresAt: { gt: now } } }
        : { revokedAt: null, absoluteExpiresAt: { lte: now } };
    case "revoked":
      return { revokedAt: { not: null } };
  }
}

const TOMBSTONE_STATUS: Record<keyof SweepCounts, string> = {
  idleExpired: "idle-expired",
  absoluteExpired: "absolute-expired",
  revoked: "revoked",
};
const SWEEP_COUNT_OF_STATUS = Object.fromEntries(Object.entries(TOMBSTONE_STATUS).map(([key, status]) => [status, key as keyof SweepCounts]));

/** The columns a device text filter searches, as named in SQLite's "SessionDeviceText". */
const DEVICE_FIELDS = ["deviceLabel", "browser", "os", "userAgent"] as const;
type DeviceField = (typeof DEVICE_FIELDS)[number];
/** Where SQLite's device text filter changes its way (see deviceWhere). */
const DEVICE_MATCH_LIMIT = 500;
const DEVICE_CANDIDATE_LIMIT = 10_000;

const REFUSAL_COLUMNS = ["appId", "at", "reason", "operation", "source", "sessionId", "userId", "revokedReason", "ip", "userAgent"] as const;
const AUDIT_COLUMNS = ["appId", "at", "type", "actorType", "actorId", "actorLabel", "sessionId", "userId", "details"] as const;

/** The engine's storage on Prisma, for SQLite and PostgreSQL alike. */
export function createPrismaSessionRepository(database: Database): SessionRepository {
  const { prisma, provider } = database;
  const { contains, startsWith } = textMatchers(provider);

  /**
   * The filter for sessions whose label, browser, OS or user agent contains `text`. The distinct
   * device texts that contain it are looked up first (the "SessionDeviceText" table of the
   * migrations, on both databases); over DEVICE_MATCH_LIMIT of them, the LIKE. On PostgreSQL,
   * the sessions holding a matching value, through the column indexes (the planner walks the
   * sort order's index instead when they are many). On SQLite: up to DEVICE_CANDIDATE_LIMIT
   * sessions hold them, their ids, found through the column indexes; more, the LIKE, since
   * walking the sort index finds a page soon when matches are common; a text with LIKE wildcards
   * in it, the matching values themselves, as SQLite's LIKE cannot take `%` and `_` literally here.
   */
  async function deviceWhere(text: string): Promise<SessionWhereInput> {
    const like: SessionWhereInput = { OR: DEVICE_FIELDS.map((field) => ({ [field]: contains(text) })) };
    const matches =
      provider === "postgresql"
        ? await prisma.$queryRawUnsafe<{ field: DeviceField; value: string }[]>(
            `SELECT "field", "value" FROM "SessionDeviceText" WHERE "value" ILIKE $1 LIMIT $2`,
            `%${escapeLike(text)}%`,
            DEVICE_MATCH_LIMIT + 1,
          )
        : await prisma.$queryRawUnsafe<{ field: DeviceField; value: string }[]>(
            `SELECT "field", "value" FROM "SessionDeviceText" WHERE "value" LIKE ? ESCAPE '\\' LIMIT ?`,
            `%${escapeLike(text)}%`,
            DEVICE_MATCH_LIMIT + 1,
          );
    if (matches.length > DEVICE_MATCH_LIMIT) return like;
    const arms = DEVICE_FIELDS.map((field) => ({
      field,
      values: matches.filter((match) => match.field === field).map((match) => match.value),
    })).filter((arm) => arm.values.length > 0);
    if (arms.length === 0) return { id: { in: [] } };
    if (provider === "postgresql") return { OR: arms.map((arm) => ({ [arm.field]: { in: arm.values } })) };
    // UNION ALL streams and stops at the limit (UNION would collect every match first); a session
    // matching in two columns comes twice, which only makes the limit come a little sooner.
    const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
      `${arms.map((arm) => `SELECT "id" FROM "Session" WHERE "${arm.field}" IN (${arm.values.map(() => "?").join(", ")})`).join(" UNION ALL ")} LIMIT ?`,
      ...arms.flatMap((arm) => arm.values),
      DEVICE_CANDIDATE_LIMIT + 1,
    );
    if (rows.length <= DEVICE_CANDIDATE_LIMIT) return { id: { in: [...new Set(rows.map((row) => row.id))] } };
    return /[%_]/.test(text) ? { OR: arms.map((arm) => ({ [arm.field]: { in: arm.values } })) } : like;
  }

  /** A value as this provider's raw statements bind it: SQLite keeps times as epoch milliseconds. */
  const bound = (value: unknown) => (value instanceof Date && provider !== "postgresql" ? value.getTime() : value);
  const placeholder = (n: number) => `$${n}`;
  /**
   * A raw statement written with PostgreSQL's numbered parameters ($1, $2…), for this provider:
   * SQLite's driver binds only `?` in order, so each $n becomes `?` with its value repeated.
   */
  function raw(text: string, params: unknown[]): [string, ...unknown[]] {
    if (provider === "postgresql") {
      // PostgreSQL refuses parameters the statement does not use (a condition left out, say).
      const used = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
      return [text, ...params.slice(0, used)];
    }
    const args: unknown[] = [];
    const converted = text.replace(/\$(\d+)/g, (_, n: string) => {
      args.push(bound(params[Number(n) - 1]));
      return "?";
    });
    return [converted, ...args];
  }
  const rawQuery = <T>(client: Db | Tx, text: string, params: unknown[]) => client.$queryRawUnsafe<T>(...raw(text, params));
  const rawExecute = (client: Db | Tx, text: string, params: unknown[]) => client.$executeRawUnsafe(...raw(text, params));
  /** A time column plus a number of milliseconds bound at `n`, in this provider's SQL. */
  const plusMs = (column: string, n: number) => (provider === "postgresql" ? `(${column} + ${placeholder(n)} * interval '1 millisecond')` : `(${column} + ${placeholder(n)})`);
  const least = provider === "postgresql" ? "LEAST" : "MIN";
  /** A raw-SQL condition on "appId" for `app`, bound at `n` (or none, for every application). */
  const appClause = (app: AppScope, n: number, alias = "") => (app === ALL_APPS ? "TRUE" : `${alias}"appId" = ${placeholder(n)}`);
  const appParams = (app: AppScope) => (app === ALL_APPS ? [] : [app]);
  /** A time read from a raw statement: a Date on PostgreSQL, epoch milliseconds on SQLite. */
  const timeOf = (value: unknown): Date | null => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(Number(value)));

  /**
   * Runs an aggregate over every session, `statement(slice)` restricted by the condition `slice`.
   * SQLite's driver is synchronous, so one statement over a million rows would hold the whole
   * process (every resolve included) for seconds: there it runs over slices of rowids with a
   * pause between them, and the caller adds up the slices' rows. PostgreSQL runs it at once.
   * With `enough`, SQLite stops after the first slice whose rows, with those before, are enough.
   */
  async function scanSessions<T>(statement: (slice: string) => string, params: unknown[], enough?: (rows: T[]) => boolean): Promise<T[]> {
    if (provider === "postgresql") return rawQuery<T[]>(prisma, statement("TRUE"), params);
    const rows: T[] = [];
    const n = params.length;
    await inRowidSlices("Session", SCAN_SLICE, async (low, high) => {
      rows.push(...(await rawQuery<T[]>(prisma, statement(`rowid > ${placeholder(n + 1)} AND rowid <= ${placeholder(n + 2)}`), [...params, low, high])));
      return !enough?.(rows);
    });
    return rows;
  }

  /**
   * The distinct values of an indexed column of the audit log, each found from the one before
   * along the index (a few reads each, however many events hold it); null when there are more
   * than DISTINCT_AUDIT_VALUES.
   */
  async function distinctAuditValues(column: "appId" | "actorLabel"): Promise<string[] | null> {
    const rows = await rawQuery<{ value: string }[]>(
      prisma,
      `WITH RECURSIVE "seen"("value", "n") AS (
         SELECT min("${column}"), 1 FROM "AuditEvent"
         UNION ALL
         SELECT (SELECT min("${column}") FROM "AuditEvent" WHERE "${column}" > "seen"."value"), "n" + 1 FROM "seen" WHERE "seen"."value" IS NOT NULL AND "n" <= $1
       ) SELECT "value" FROM "seen" WHERE "value" IS NOT NULL`,
      [DISTINCT_AUDIT_VALUES],
    );
    return rows.length > DISTINCT_AUDIT_VALUES ? null : rows.map((row) => row.value);
  }

  /**
   * SQLite: calls `slice(low, high)` for each stretch of `size` rowids of `table` (rowid > low and
   * <= high), from its lowest rowid to its highest as they were at the start, letting other work
   * run before each stretch, while `slice` says to go on.
   */
  async function inRowidSlices(table: string, size: number, slice: (low: number, high: number) => Promise<boolean>): Promise<void> {
    // Two statements of one aggregate each: SQLite finds a lone min() or max() of rowid at one end
    // of the table, but reads every row for both at once.
    const end = async (aggregate: "min" | "max") =>
      (await rawQuery<{ rowid: number | bigint | null }[]>(prisma, `SELECT ${aggregate}(rowid) AS "rowid" FROM "${table}"`, []))[0]?.rowid ?? null;
    const bottom = Number((await end("min")) ?? 1);
    const top = Number((await end("max")) ?? 0);
    for (let low = bottom - 1; low < top; low += size) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!(await slice(low, low + size))) return;
    }
  }
  /** A column that SQLite must not pick an index for (a scan of rowid slices reads in rowid order). */
  const unindexed = (column: string) => (provider === "postgresql" ? column : `+${column}`);

  function fill(counts: Map<number, number>, from: Date, bucketMs: number, buckets: number) {
    return Array.from({ length: buckets }, (_, index) => {
      const at = from.getTime() + index * bucketMs;
      return { at: new Date(at), count: counts.get(at) ?? 0 };
    });
  }

  /**
   * Creates the user row for an id seen for the first time in its application. Outside the
   * session's transaction: two first sessions of one user may race here, and on PostgreSQL a
   * failed insert would abort the transaction around it.
   */
  async function ensureUser(appId: string, id: string, at: Date, profile?: UserProfile): Promise<{ disabled: boolean }> {
    const known = await prisma.user.findUnique({ where: { appId_id: { appId, id } }, select: { email: true, name: true, disabledAt: true } });
    // A disabled user's sign-in is refused and changes nothing.
    if (known?.disabledAt) return { disabled: true };
    const given = { ...(profile?.email ? { email: profile.email } : {}), ...(profile?.name ? { name: profile.name } : {}) };
    const changed = Object.entries(given).some(([field, value]) => known?.[field as keyof typeof known] !== value);
    if (known && !changed) return { disabled: false };
    // Another user of the application with this email keeps it: this one goes on without it.
    const write = async (fields: { email?: string; name?: string }) => {
      if (known) await prisma.user.update({ where: { appId_id: { appId, id } }, data: { ...fields, updatedAt: at } });
      else await prisma.user.create({ data: { appId, id, ...fields, createdAt: at, updatedAt: at } });
    };
    try {
      await write(given);
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
      if (!given.email) return { disabled: false };
      const { email: _taken, ...rest } = given;
      try {
        await write(rest);
      } catch (retry) {
        // Two first sessions of one user raced to create the row: it is there.
        if ((retry as { code?: string }).code !== "P2002") throw retry;
      }
    }
    return { disabled: false };
  }

  /**
   * Inserts rows with one multi-row INSERT per thousand: a fraction of createMany's cost per row,
   * which matters because on SQLite the write shares the thread with the requests being served.
   */
  async function insertRows<C extends string>(client: Db | Tx, table: string, columns: readonly C[], rows: Record<C, unknown>[]) {
    for (let start = 0; start < rows.length; start += 1000) {
      const params: unknown[] = [];
      const values = rows.slice(start, start + 1000).map((row) => {
        const placeholders = columns.map((column) => {
          params.push(bound(row[column]));
          return placeholder(params.length);
        });
        return `(${placeholders.join(", ")})`;
      });
      await rawExecute(client, `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES ${values.join(", ")}`, params);
    }
  }

  /**
   * SQLite: fills this connection's temporary "Picked" table with the ids `select` returns, so
   * the statements after it in the transaction work on the same rows without sending them back.
   */
  async function pick(tx: Tx, select: string, params: unknown[]) {
    await tx.$executeRawUnsafe(`CREATE TEMP TABLE IF NOT EXISTS "Picked" ("id" TEXT PRIMARY KEY) WITHOUT ROWID`);
    await tx.$executeRawUnsafe(`DELETE FROM temp."Picked"`);
    await rawExecute(tx, `INSERT INTO temp."Picked" ${select}`, params);
  }

  async function appendWith(tx: Db | Tx, events: AuditEventInput[]) {
    await insertRows(tx, "AuditEvent", AUDIT_COLUMNS, events.map(auditEventRow));
  }

  /**
   * Revokes the live sessions `where` selects (a raw condition on "Session" with its parameters,
   * numbered from 5) and writes `perSession` for each, inside the database: a user with ten
   * thousand sessions is logged out everywhere in one short transaction. Returns their ids.
   */
  async function revokeWhere(tx: Tx, where: (first: number) => string, whereParams: unknown[], revocation: RevocationFields, perSession: Omit<AuditEventInput, "sessionId" | "userId" | "appId">): Promise<string[]> {
    const revoke = (first: number) =>
      `UPDATE "Session" SET "revokedAt" = ${placeholder(first)}, "revokedReason" = ${placeholder(first + 1)}, "revokedBy" = ${placeholder(first + 2)}, "revokeNote" = ${placeholder(first + 3)}`;
    const revocationParams = [revocation.revokedAt, revocation.revokedReason, revocation.revokedBy, revocation.revokeNote];
    const row = auditEventRow({ ...perSession, appId: "" });
    const eventParams = [row.at, row.type, row.actorType, row.actorId, row.actorLabel, row.details];
    const logEvents = (first: number, from: string) =>
      `INSERT INTO "AuditEvent" ("at", "type", "actorType", "actorId", "actorLabel", "appId", "sessionId", "userId", "details")
       SELECT ${[0, 1, 2, 3, 4].map((i) => placeholder(first + i)).join(", ")}, "appId", "id", "userId", ${placeholder(first + 5)} ${from}`;
    if (provider === "postgresql") {
      const rows = await rawQuery<{ id: string }[]>(
        tx,
        `WITH revoked AS (${revoke(1)} WHERE ${where(5)} AND "revokedAt" IS NULL RETURNING "id", "userId", "appId"),
              logged AS (${logEvents(5 + whereParams.length, "FROM revoked")})
         SELECT "id" FROM revoked`,
        [...revocationParams, ...whereParams, ...eventParams],
      );
      return rows.map((r) => r.id);
    }
    // One write transaction at a time: the sessions are picked once, then revoked and logged.
    await pick(tx, `SELECT "id" FROM "Session" WHERE ${where(1)} AND "revokedAt" IS NULL`, whereParams);
    await rawExecute(tx, `${revoke(1)} WHERE "id" IN (SELECT "id" FROM temp."Picked")`, revocationParams);
    await rawExecute(tx, logEvents(1, `FROM "Session" WHERE "id" IN (SELECT "id" FROM temp."Picked")`), eventParams);
    return (await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM temp."Picked"`)).map((r) => r.id);
  }

  /** Raw SQL: a session live at the time bound at `n`. */
  const liveSql = (n: number, alias = "") => `${alias}"revokedAt" IS NULL AND ${alias}"idleExpiresAt" > ${placeholder(n)} AND ${alias}"absoluteExpiresAt" > ${placeholder(n)}`;

  /**
   * Ends the live sessions of `userIds` (in `appId`) above `max` each: the least recently used or
   * the oldest first. `reserve` seats are kept free (1 when a new session is about to start).
   * Returns the ids it ended.
   */
  async function endOverLimit(
    tx: Tx,
    appId: string,
    userIds: string[],
    max: number,
    reserve: number,
    action: SessionLimitAction,
    now: Date,
    revocation: RevocationFields,
    perSession: Omit<AuditEventInput, "sessionId" | "userId">,
    note: (liveBefore: number) => string | null,
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    const order = action === "END_OLDEST" ? `"startedAt", "createdAt", "id"` : `"lastSeenAt", "createdAt", "id"`;
    const rows = await rawQuery<{ id: string; userId: string; live: number | bigint }[]>(
      tx,
      `SELECT "id", "userId", "live" FROM (
         SELECT "id", "userId", count(*) OVER (PARTITION BY "userId") AS "live",
                row_number() OVER (PARTITION BY "userId" ORDER BY ${order}) AS "position"
         FROM "Session" WHERE "appId" = $1 AND "userId" IN (${userIds.map((_, i) => placeholder(i + 3)).join(", ")}) AND "kind" = 'user' AND ${liveSql(2)}
       ) ranked WHERE "position" <= "live" - ${placeholder(userIds.length + 3)}`,
      [appId, now, ...userIds, max - reserve],
    );
    const ended: string[] = [];
    // One note per user: how many live sessions they held.
    const byUser = new Map<string, { ids: string[]; live: number }>();
    for (const row of rows) {
      const entry = byUser.get(row.userId) ?? { ids: [], live: Number(row.live) };
      entry.ids.push(row.id);
      byUser.set(row.userId, entry);
    }
    for (const { ids, live } of byUser.values()) {
      const fields = { ...revocation, revokeNote: note(live) ?? revocation.revokeNote };
      const details = { ...perSession.details, note: fields.revokeNote };
      ended.push(...(await revokeWhere(tx, (first) => `"id" IN (${ids.map((_, i) => placeholder(first + i)).join(", ")})`, ids, fields, { ...perSession, details })));
    }
    return ended;
  }

  /** PostgreSQL: holds the user's row until the transaction ends, so one session of theirs starts at a time. */
  async function lockUser(tx: Tx, appId: string, userId: string) {
    if (provider === "postgresql") await rawQuery(tx, `SELECT 1 FROM "User" WHERE "appId" = $1 AND "id" = $2 FOR UPDATE`, [appId, userId]);
  }

  /** Inside an insert's transaction: makes room for one more session of the user, or says there is none. */
  async function checkLimit(tx: Tx, appId: string, userId: string, limit: SessionLimitCheck): Promise<{ ok: boolean; ended: string[] }> {
    await lockUser(tx, appId, userId);
    if (limit.action === "REFUSE") {
      const live = await tx.session.count({ where: { appId, userId, kind: "user", ...liveAt(limit.now) } });
      return { ok: live < limit.max, ended: [] };
    }
    const ended = await endOverLimit(tx, appId, [userId], limit.max, 1, limit.action, limit.now, limit.revocation, limit.perSession, limit.note);
    return { ok: true, ended };
  }

  /**
   * Addresses starting with `prefix`. SQLite compares text byte by byte, so a range on the index
   * finds them; PostgreSQL uses LIKE, served by the text_pattern_ops index of its migrations.
   */
  function ipPrefix(prefix: string): SessionWhereInput {
    if (provider === "postgresql") return { ip: startsWith(prefix) };
    const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    return { ip: { gte: prefix, lt: upper } };
  }

  /**
   * The sessions of the users `text` names within `app`: its id, or (with `byEmail`) the users
   * whose email it is. Sessions are indexed by application, then user; across applications a user
   * id alone would walk every session, so the condition names each (application, user) pair.
   */
  async function usersWhere(app: AppScope, text: string, byEmail: boolean): Promise<SessionWhereInput> {
    const appIds = app === ALL_APPS ? (await prisma.application.findMany({ select: { id: true } })).map((row) => row.id) : [app];
    const email = text.toLowerCase();
    const named = byEmail && text.includes("@") ? await prisma.user.findMany({ where: { OR: appIds.map((appId) => ({ appId, email })) }, select: { appId: true, id: true } }) : [];
    return { OR: [...appIds.map((appId) => ({ appId, userId: text })), ...named.map((user) => ({ appId: user.appId, userId: user.id }))] };
  }

  /** The conditions of a session filter (the console's filters) within `app`, for Prisma. */
  async function filterWhere(app: AppScope, filter: SessionFilter, now: Date): Promise<SessionWhereInput[]> {
    const and: SessionWhereInput[] = [inApp(app)];
    if (filter.user) and.push(await usersWhere(app, filter.user, true));
    if (filter.status && filter.status.length > 0) and.push({ OR: filter.status.map((status) => statusWhere(status, now, provider)) });
    if (filter.sessionId) and.push({ id: filter.sessionId });
    if (filter.userId) and.push(await usersWhere(app, filter.userId, false));
    if (filter.familyId) and.push({ familyId: filter.familyId });
    if (filter.kind) and.push({ kind: filter.kind });
    if (filter.tenantId) and.push({ tenantId: filter.tenantId });
    if (filter.ip) and.push(/[.:]$/.test(filter.ip) ? ipPrefix(filter.ip) : { ip: filter.ip });
    if (filter.device) and.push(await deviceWhere(filter.device));
    if (filter.createdFrom || filter.createdTo) and.push({ createdAt: { gte: filter.createdFrom, lte: filter.createdTo } });
    if (filter.lastSeenFrom || filter.lastSeenTo) and.push({ lastSeenAt: { gte: filter.lastSeenFrom, lte: filter.lastSeenTo } });
    if (filter.revokedFrom || filter.revokedTo) and.push({ revokedAt: { not: null, gte: filter.revokedFrom, lte: filter.revokedTo } });
    if (filter.reason && filter.reason.length > 0) and.push({ revokedReason: { in: filter.reason } });
    return and;
  }

  /**
   * PostgreSQL, a list of live sessions only, when a walk in the list's order would read far: the
   * keys (id and `sort`'s value) of every live session the filter matches, if no more than
   * FEW_LIVE sessions have an idle expiry ahead; otherwise null, and the list walks its order. The
   * planner walks the order until it has `wanted` rows, taking liveness to be spread evenly over
   * it; when the live sessions all lie beyond the newest thousands of dead ones (long-lived
   * sessions and a burst of short ones since), that walk read the whole table (2.2 s at a million
   * sessions, 20,000 of them live). The first WALK_PROBE rows in the order tell which case this
   * is; when they hold fewer than `wanted` but a share that would find them within WALK_READ_MAX
   * rows, those rows are read to see (a count of a thousand, with a quarter of the sessions live,
   * reads some 6,000). By idle expiry, either way, the live sessions are at one end of the walk.
   */
  async function fewLiveKeys(
    app: AppScope,
    filter: SessionFilter,
    now: Date,
    order: { sort: SessionSortField; order: "asc" | "desc"; wanted: number },
  ): Promise<{ id: string; value: Date }[] | null> {
    if (provider !== "postgresql" || filter.status?.length !== 1 || filter.status[0] !== "active" || order.sort === "idleExpiresAt") return null;
    const unfiltered = await filterWhere(app, { ...filter, status: undefined }, now);
    // The first `take` rows of the walk: how many there are, and how many of them are live.
    const probe = async (take: number) => {
      const rows = await prisma.session.findMany({
        where: { AND: unfiltered },
        select: { revokedAt: true, idleExpiresAt: true, absoluteExpiresAt: true },
        orderBy: [{ [order.sort]: order.order }, { id: order.order }],
        take,
      });
      return { read: rows.length, live: rows.filter((row) => row.revokedAt === null && row.idleExpiresAt > now && row.absoluteExpiresAt > now).length };
    };
    const first = await probe(WALK_PROBE);
    if (first.read < WALK_PROBE || first.live >= order.wanted) return null;
    // At the probe's share of live sessions the walk would find `wanted` within `reach` rows: if
    // that is short, those rows are read once to be sure (live sessions bunched at the front
    // would otherwise send the walk through the whole table).
    const reach = first.live > 0 ? Math.ceil(((order.wanted * WALK_PROBE) / first.live) * 1.5) : Infinity;
    if (reach <= WALK_READ_MAX) {
      const further = await probe(reach);
      if (further.read < reach || further.live >= order.wanted) return null;
    }
    // Too many to read them all, counted along the idle expiry's index from its end.
    const [counted] = await rawQuery<{ n: number }[]>(
      prisma,
      `SELECT count(*)::int AS "n" FROM (SELECT 1 FROM "Session" WHERE "idleExpiresAt" > $1 ORDER BY "idleExpiresAt" DESC LIMIT $2) AS "ahead"`,
      [now, FEW_LIVE + 1],
    );
    if ((counted?.n ?? 0) > FEW_LIVE) return null;
    // No order and a limit past what there are: the planner reads the live sessions by expiry.
    const rows = (await prisma.session.findMany({
      where: { AND: await filterWhere(app, filter, now) },
      select: { id: true, [order.sort]: true },
      take: FEW_LIVE + 1,
    })) as unknown as ({ id: string } & Record<SessionSortField, Date>)[];
    return rows.length > FEW_LIVE ? null : rows.map((row) => ({ id: row.id, value: row[order.sort] }));
  }

  /** The ids of `keys` past the request's cursor, in its order. */
  function idsInOrder(keys: { id: string; value: Date }[], request: SessionPageRequest): string[] {
    const direction = request.order === "desc" ? -1 : 1;
    const compare = (a: { id: string; value: Date }, b: { id: string; value: Date }) =>
      direction * (a.value.getTime() - b.value.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const after = request.after;
    return keys
      .filter((key) => !after || compare(key, after) > 0)
      .sort(compare)
      .map((key) => key.id);
  }

  function afterWhere(request: SessionPageRequest): SessionWhereInput[] {
    if (!request.after) return [];
    const { value, id } = request.after;
    const beyond = request.order === "desc" ? { lt: value } : { gt: value };
    const idBeyond = request.order === "desc" ? { lt: id } : { gt: id };
    return [{ OR: [{ [request.sort]: beyond }, { [request.sort]: value, id: idBeyond }] }];
  }

  /**
   * Raw SQL: the live sessions of an application, and those of them a policy ends at once, by its
   * absolute cap (counted from the sign-in) or by its idle timeout (service sessions have no idle
   * timeout of the policy's). Parameters: $1 the application, $2 now, $3 now minus the absolute
   * cap, $4 now minus the idle timeout.
   */
  const POLICY_ENDS = {
    live: `"appId" = $1 AND "revokedAt" IS NULL AND "idleExpiresAt" > $2 AND "absoluteExpiresAt" > $2`,
    byAbsolute: `"startedAt" <= $3`,
    byIdle: `"startedAt" > $3 AND "lastSeenAt" <= $4 AND "kind" <> 'service'`,
  };
  const policyParams = (appId: string, policy: SessionPolicy, now: Date) => [
    appId,
    now,
    new Date(now.getTime() - policy.absoluteTimeoutSeconds * 1000),
    new Date(now.getTime() - policy.idleTimeoutSeconds * 1000),
  ];

  const num = (value: number | bigint | string | null | undefined) => Number(value ?? 0);

  /** Raw SQL: a session that ended at or before the time `cut` names (NULL, not false, for some live ones). */
  const deadSql = (cut: () => string) =>
    `("revokedAt" <= ${cut()} OR ("revokedAt" IS NULL AND "idleExpiresAt" <= ${cut()}) OR ("revokedAt" IS NULL AND "absoluteExpiresAt" <= ${cut()}))`;
  /** Raw SQL: " AND" the application's condition, or nothing for every application. */
  const scopedSql = (app: AppScope, appParam: () => string) => (app === ALL_APPS ? "" : ` AND "appId" = ${appParam()}`);
  /** Raw SQL: of an ended session, `revoked`, `absolute` or `idle` by how it ended. */
  const endedSql = (revoked: string, absolute: string, idle: string) =>
    `CASE WHEN "revokedAt" IS NOT NULL THEN ${revoked} WHEN "absoluteExpiresAt" <= "idleExpiresAt" THEN ${absolute} ELSE ${idle} END`;
  const STATUS_SQL = endedSql(`'${TOMBSTONE_STATUS.revoked}'`, `'${TOMBSTONE_STATUS.absoluteExpired}'`, `'${TOMBSTONE_STATUS.idleExpired}'`);
  /** Raw SQL: a tombstone, swept at `sweptAt`, for each session `from` selects. */
  const tombstonesSql = (sweptAt: string, from: string) =>
    `INSERT INTO "SweptSession" ("id", "appId", "userId", "kind", "status", "revokedReason", "endedAt", "createdAt", "sweptAt")
     SELECT "id", "appId", "userId", "kind", ${STATUS_SQL}, "revokedReason", ${endedSql(`"revokedAt"`, `"absoluteExpiresAt"`, `"idleExpiresAt"`)}, "createdAt", ${sweptAt}
     ${from}`;

  /**
   * Raw SQL: up to `limit` of `column` ("id") of the sessions of `app` dead at `cut`, as three
   * disjoint index ranges (revoked, idle-expired, past the absolute cap) read one after the other
   * until the limit. Written as one OR, the planner may
   * scan the table instead, which on a table of mostly live sessions reads it all again for
   * every batch (20 ms a batch at 100,000 sessions, against under 1 ms). SQLite's statistics
   * rate the revokedAt index poorly (most rows hold NULL), so it is named there.
   *
   * On PostgreSQL each range is also ordered by its index with its own limit. Left to itself the
   * planner read the revoked range as a bitmap heap scan, which visits every heap page its
   * index entries point to, rows deleted by earlier batches included (a whole table's read per
   * batch once the revoked rows were gone), and the idle range as a sequential scan, which
   * reads past every row deleted before it: each batch slower than the one before. An index
   * scan marks the entries of deleted rows as it passes them, so the next batch skips them.
   */
  const pickDeadSql = (app: AppScope, cut: () => string, appParam: () => string, limit: string, column = `"id"`) =>
    provider === "postgresql"
      ? `(SELECT ${column} FROM "Session" WHERE "revokedAt" <= ${cut()}${scopedSql(app, appParam)} ORDER BY "revokedAt" LIMIT ${limit})
         UNION ALL (SELECT ${column} FROM "Session" WHERE "revokedAt" IS NULL AND "idleExpiresAt" <= ${cut()}${scopedSql(app, appParam)} ORDER BY "idleExpiresAt", "id" LIMIT ${limit})
         UNION ALL (SELECT ${column} FROM "Session" WHERE "revokedAt" IS NULL AND "absoluteExpiresAt" <= ${cut()} AND "idleExpiresAt" > ${cut()}${scopedSql(app, appParam)} ORDER BY "absoluteExpiresAt", "id" LIMIT ${limit})
         LIMIT ${limit}`
      : `SELECT ${column} FROM "Session" INDEXED BY "Session_revokedAt_idx" WHERE "revokedAt" <= ${cut()}${scopedSql(app, appParam)}
         UNION ALL SELECT ${column} FROM "Session" WHERE "revokedAt" IS NULL AND "idleExpiresAt" <= ${cut()}${scopedSql(app, appParam)}
         UNION ALL SELECT ${column} FROM "Session" WHERE "revokedAt" IS NULL AND "absoluteExpiresAt" <= ${cut()} AND "idleExpiresAt" > ${cut()}${scopedSql(app, appParam)}
         LIMIT ${limit}`;

  /**
   * SQLite: a rebuild of the Session table (see rebuildSessions) when at least REBUILD_MIN_ROWS
   * sessions are to go (counted through the indexes, up to that many), no fewer than the table
   * keeps, at most REBUILD_MAX_SWEPT, and it keeps at most REBUILD_MAX_KEPT (counted in one pass
   * over slices of rowids); otherwise batches through the indexes.
   */
  async function planSqliteSweep(app: AppScope, cutoff: Date): Promise<SweepCursor[]> {
    const scoped = scopedSql(app, () => "$2");
    const [some] = await rawQuery<{ n: number | bigint }[]>(
      prisma,
      `SELECT count(*) AS "n" FROM (${pickDeadSql(app, () => "$1", () => "$2", String(REBUILD_MIN_ROWS), "1")})`,
      [cutoff, ...appParams(app)],
    );
    if (num(some?.n) < REBUILD_MIN_ROWS) return [BY_INDEX];
    // Stops once more rows are kept than a rebuild may copy (on a large table of mostly live
    // sessions, after its first slices).
    type Slice = { rows: number | bigint; dead: number | bigint | null };
    const keptIn = (slices: Slice[]) => slices.reduce((sum, slice) => sum + num(slice.rows) - num(slice.dead), 0);
    const slices = await scanSessions<Slice>(
      (slice) => `SELECT count(*) AS "rows", sum(IFNULL(${deadSql(() => "$1")}${scoped}, FALSE)) AS "dead" FROM "Session" WHERE ${slice}`,
      [cutoff, app === ALL_APPS ? null : app],
      (seen) => keptIn(seen) > REBUILD_MAX_KEPT,
    );
    const kept = keptIn(slices);
    const dead = slices.reduce((sum, slice) => sum + num(slice.dead), 0);
    if (kept > REBUILD_MAX_KEPT || kept > dead || dead > REBUILD_MAX_SWEPT) return [BY_INDEX];
    return (await mayRebuildSessions()) ? [{ by: "rebuild" }] : [BY_INDEX];
  }

  /** SQLite: the statement that created the Session table, as `sqlite_master` keeps it. */
  async function sessionTableSql(client: Db | Tx): Promise<string | undefined> {
    const [table] = await rawQuery<{ sql: string }[]>(client, `SELECT "sql" FROM sqlite_master WHERE "type" = 'table' AND "name" = 'Session'`, []);
    return table?.sql;
  }

  /**
   * SQLite: whether the sweep may rebuild the Session table (see rebuildSessions): the table is
   * as the migrations make it, and no other table's key, trigger or view depends on it.
   */
  async function mayRebuildSessions(): Promise<boolean> {
    const table = await sessionTableSql(prisma);
    if (!table || !SESSION_TABLE_SQL.test(table)) return false;
    const [dependent] = await rawQuery<{ n: number | bigint }[]>(
      prisma,
      `SELECT (SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m."name") f WHERE m."type" = 'table' AND f."table" = 'Session' COLLATE NOCASE)
            + (SELECT count(*) FROM sqlite_master WHERE "type" IN ('trigger', 'view') AND "tbl_name" <> 'Session' AND "sql" LIKE '%Session%') AS "n"`,
      [],
    );
    return num(dependent?.n) === 0;
  }

  /**
   * SQLite: sweeps by rebuilding the Session table without its dead sessions. Deleting row by row
   * costs SQLite a change to each of the table's indexes and a run of the device-text trigger for
   * each session (some 2,500 a second); when most of the table is to go, it is cheaper to write a
   * tombstone for each dead session, copy the few kept rows into a fresh table, drop the old one
   * and build the indexes again over the kept rows: seconds for a million.
   *
   * One transaction: the dead sessions counted and their tombstones written a slice of rowids a
   * statement, with a pause between slices so that requests are answered meanwhile; then the swap
   * in one synchronous step, so that no other query on the connection ever finds the table
   * missing or half built (copying the kept rows, dropping the old table and its indexes,
   * indexing the new one: about 0.5 s after a million sessions, during which requests wait).
   * Writers wait for the transaction; readers see the old table until it commits.
   */
  async function rebuildSessions(app: AppScope, cutoff: Date, now: Date): Promise<SweepCounts & { scanned: number }> {
    const runScript = database.runScript;
    if (!runScript) throw new Error("A rebuild of the Session table needs SQLite's connection.");
    const counts: SweepCounts = { idleExpired: 0, absoluteExpired: 0, revoked: 0 };
    const ended = `${deadSql(() => "$1")}${scopedSql(app, () => "$4")}`;
    const slice = `rowid > $2 AND rowid <= $3`;
    const params = (low: number) => [cutoff, low, low + REBUILD_SLICE, app === ALL_APPS ? null : app, now];
    await prisma.$transaction(
      async (tx) => {
        // A write first, which takes SQLite's write lock: the adapter's BEGIN is deferred, and a
        // transaction that first reads then writes fails if another connection (the hot path's
        // writer, another process) committed in between.
        await tx.$executeRawUnsafe(`DELETE FROM "Session" WHERE 0`);
        const [bounds] = await rawQuery<{ top: number | bigint | null }[]>(tx, `SELECT max(rowid) AS "top" FROM "Session"`, []);
        for (let low = 0; low < num(bounds?.top); low += REBUILD_SLICE) {
          const rows = await rawQuery<{ status: string; n: number | bigint }[]>(tx, `SELECT ${STATUS_SQL} AS "status", count(*) AS "n" FROM "Session" WHERE ${slice} AND ${ended} GROUP BY 1`, params(low));
          for (const { status, n } of rows) counts[SWEEP_COUNT_OF_STATUS[status]!] += num(n);
          if (rows.length > 0) await rawExecute(tx, tombstonesSql("$5", `FROM "Session" WHERE ${slice} AND ${ended}`), params(low));
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (counts.idleExpired + counts.absoluteExpired + counts.revoked === 0) return;
        const table = await sessionTableSql(tx);
        const attached = await rawQuery<{ type: string; name: string; sql: string }[]>(
          tx,
          `SELECT "type", "name", "sql" FROM sqlite_master WHERE "tbl_name" = 'Session' AND "type" IN ('index', 'trigger') AND "sql" IS NOT NULL`,
          [],
        );
        // The script binds no parameters: the cutoff (epoch milliseconds, as SQLite keeps times) and
        // the application are written in. The kept rows are the complement of the dead ones, spelt
        // out so that SQLite reads them through the indexes.
        const cut = String(cutoff.getTime());
        const otherApps = app === ALL_APPS ? "" : `"appId" <> '${String(app).replaceAll("'", "''")}' OR `;
        const kept = `${otherApps}"revokedAt" > ${cut} OR ("revokedAt" IS NULL AND "idleExpiresAt" > ${cut} AND "absoluteExpiresAt" > ${cut})`;
        runScript(
          [
            `DROP TABLE IF EXISTS "Session_kept"`,
            table!.replace(SESSION_TABLE_SQL, `CREATE TABLE "Session_kept" (`),
            `INSERT INTO "Session_kept" SELECT * FROM "Session" WHERE ${kept}`,
            ...attached.map(({ type, name }) => `DROP ${type === "index" ? "INDEX" : "TRIGGER"} "${name}"`),
            `DROP TABLE "Session"`,
            `ALTER TABLE "Session_kept" RENAME TO "Session"`,
            ...attached.map(({ sql }) => sql),
          ].join(";\n") + ";",
        );
        // No delete trigger ran: the device texts only swept sessions held go now.
        for (const field of DEVICE_FIELDS) {
          await tx.$executeRawUnsafe(`DELETE FROM "SessionDeviceText" WHERE "field" = '${field}' AND NOT EXISTS (SELECT 1 FROM "Session" s WHERE s."${field}" = "SessionDeviceText"."value")`);
        }
        // The planner's statistics of the old table went with it.
        await tx.$executeRawUnsafe(`ANALYZE "Session"`);
      },
      { timeout: REBUILD_TIMEOUT_MS },
    );
    return { ...counts, scanned: counts.idleExpired + counts.absoluteExpired + counts.revoked };
  }

  async function countSweepable(app: AppScope, cutoff: Date): Promise<SweepCounts> {
    const scope = inApp(app);
    const [revoked, absoluteExpired, idleExpired] = await Promise.all([
      prisma.session.count({ where: { ...scope, revokedAt: { lte: cutoff } } }),
      prisma.session.count({ where: { ...scope, revokedAt: null, absoluteExpiresAt: { lte: cutoff } } }),
      prisma.session.count({
        where: { ...scope, revokedAt: null, idleExpiresAt: { lte: cutoff }, absoluteExpiresAt: { gt: cutoff } },
      }),
    ]);
    return { revoked, absoluteExpired, idleExpired };
  }

  return {
    async findApplication(id) {
      return toApplication(await prisma.application.findUnique({ where: { id } }));
    },

    async listApplications() {
      const rows = await prisma.application.findMany({ orderBy: [{ name: "asc" }] });
      return rows.map((row) => toApplication(row) as ApplicationRecord);
    },

    async insertApplication(app, event) {
      await prisma.$transaction(async (tx) => {
        await tx.application.create({ data: app });
        await appendWith(tx, [event]);
      });
    },

    async updateApplication(id, changes, event) {
      return prisma.$transaction(async (tx) => {
        const result = await tx.application.updateMany({ where: { id }, data: { ...changes, updatedAt: event.at } });
        if (result.count !== 1) return false;
        await appendWith(tx, [event]);
        return true;
      });
    },

    async countLiveSessionsByApplication(now) {
      const rows = await prisma.session.groupBy({ by: ["appId"], where: liveAt(now), _count: { _all: true } });
      return new Map(rows.map((row) => [row.appId, row._count._all]));
    },

    async previewPolicy(appId, policy, now) {
      // One pass over the application's sessions in user order (a covering index): per user, those
      // the timeouts end and the user sessions left, which the limit then counts.
      const ends = POLICY_ENDS;
      const limit = policy.sessionLimit ?? Number.MAX_SAFE_INTEGER;
      const [row] = await rawQuery<{ absolute: number | bigint | null; idle: number | bigint | null; users: number | bigint | null; excess: number | bigint | null }[]>(
        prisma,
        `SELECT sum("a") AS "absolute", sum("i") AS "idle",
                sum(CASE WHEN "rest" > $5 THEN 1 ELSE 0 END) AS "users", sum(CASE WHEN "rest" > $5 THEN "rest" - $5 ELSE 0 END) AS "excess"
         FROM (
           SELECT sum(CASE WHEN ${ends.byAbsolute} THEN 1 ELSE 0 END) AS "a",
                  sum(CASE WHEN ${ends.byIdle} THEN 1 ELSE 0 END) AS "i",
                  sum(CASE WHEN "kind" = 'user' AND NOT (${ends.byAbsolute}) AND NOT (${ends.byIdle}) THEN 1 ELSE 0 END) AS "rest"
           FROM "Session" WHERE ${ends.live} GROUP BY "userId"
         ) per_user`,
        [...policyParams(appId, policy, now), limit],
      );
      const endedByAbsolute = num(row?.absolute);
      const endedByIdle = num(row?.idle);
      return {
        ended: endedByAbsolute + endedByIdle,
        endedByAbsolute,
        endedByIdle,
        usersOverLimit: policy.sessionLimit === null ? 0 : num(row?.users),
        endedByLimit: policy.sessionLimit === null ? 0 : num(row?.excess),
      };
    },

    async shortenToPolicy(appId, policy, now, afterId, limit, perSession) {
      const absMs = policy.absoluteTimeoutSeconds * 1000;
      const idleMs = policy.idleTimeoutSeconds * 1000;
      return prisma.$transaction(async (tx) => {
        const picked = await tx.session.findMany({
          where: { appId, ...liveAt(now), ...(afterId ? { id: { gt: afterId } } : {}) },
          select: { id: true },
          orderBy: { id: "asc" },
          take: limit,
        });
        if (picked.length === 0) return { lastId: null, scanned: 0, ended: 0 };
        const ids = picked.map((row) => row.id);
        const inBatch = (first: number) => `"id" IN (${ids.map((_, i) => placeholder(first + i)).join(", ")})`;
        // Parameters: 1 absolute cap (ms), 2 idle timeout (s), 3 idle timeout (ms), then the ids.
        const newAbsolute = `${least}("absoluteExpiresAt", ${plusMs(`"startedAt"`, 1)})`;
        const newIdleSeconds = `CASE WHEN "kind" = 'service' THEN "idleTimeoutSeconds" ELSE ${least}("idleTimeoutSeconds", ${placeholder(2)}) END`;
        const newIdleAt = `CASE WHEN "kind" = 'service' THEN ${least}("idleExpiresAt", ${newAbsolute}) ELSE ${least}("idleExpiresAt", ${plusMs(`"lastSeenAt"`, 3)}, ${newAbsolute}) END`;
        await rawExecute(
          tx,
          `UPDATE "Session" SET "idleExpiresAt" = ${newIdleAt}, "absoluteExpiresAt" = ${newAbsolute}, "idleTimeoutSeconds" = ${newIdleSeconds}
           WHERE ${inBatch(4)} AND ("absoluteExpiresAt" > ${newAbsolute} OR "idleExpiresAt" > ${newIdleAt} OR "idleTimeoutSeconds" > ${newIdleSeconds})`,
          [absMs, policy.idleTimeoutSeconds, idleMs, ...ids],
        );
        // The sessions of the batch that have ended now get the change in their timelines.
        const endedRows = await tx.session.findMany({
          where: { id: { in: ids }, OR: [{ absoluteExpiresAt: { lte: now } }, { idleExpiresAt: { lte: now } }] },
          select: { id: true, userId: true, absoluteExpiresAt: true },
        });
        await appendWith(
          tx,
          endedRows.map((row) => ({
            ...perSession,
            sessionId: row.id,
            userId: row.userId,
            details: { ...perSession.details, ended: row.absoluteExpiresAt <= now ? "absolute" : "idle" },
          })),
        );
        return { lastId: ids.at(-1) ?? null, scanned: ids.length, ended: endedRows.length };
      });
    },

    async endSessionsOverLimit(appId, max, action, now, afterUserId, limit, revocation, perSession) {
      const users = await rawQuery<{ userId: string }[]>(
        prisma,
        `SELECT "userId" FROM "Session" WHERE "appId" = $1 AND "kind" = 'user' AND ${liveSql(2)} ${afterUserId === null ? "" : `AND "userId" > $5`}
         GROUP BY "userId" HAVING count(*) > $3 ORDER BY "userId" LIMIT $4`,
        [appId, now, max, limit, afterUserId],
      );
      if (users.length === 0) return { lastUserId: null, ended: [] };
      const ids = users.map((row) => row.userId);
      const ended = await prisma.$transaction((tx) => endOverLimit(tx, appId, ids, max, 0, action, now, revocation, perSession, () => null));
      return { lastUserId: users.length < limit ? null : (ids.at(-1) ?? null), ended };
    },

    findSession: (app, id) => prisma.session.findUnique({ where: { id, ...inApp(app) } }),

    async findSessionWithUser(app, id) {
      const row = await prisma.session.findUnique({ where: { id, ...inApp(app) }, include: { user: { select: USER_FIELDS } } });
      if (!row) return null;
      const { user, ...session } = row;
      return { session, user };
    },

    findUser: (appId, id) => prisma.user.findUnique({ where: { appId_id: { appId, id } }, select: USER_FIELDS }),
    findUserByEmail: (appId, email) => prisma.user.findUnique({ where: { appId_email: { appId, email } }, select: USER_FIELDS }),

    async findUsersByIdOrEmail(app, query) {
      // Users are keyed by application first: across every application, one key lookup per
      // application (there are few), not a scan of every user for an id or email alone.
      const appIds = app === ALL_APPS ? (await prisma.application.findMany({ select: { id: true } })).map((row) => row.id) : [app];
      const rows = await prisma.user.findMany({
        where: { OR: appIds.flatMap((appId) => [{ appId, id: query }, ...(query.includes("@") ? [{ appId, email: query.toLowerCase() }] : [])]) },
        select: USER_FIELDS,
        orderBy: [{ appId: "asc" }, { id: "asc" }],
        take: 20,
      });
      // One per application: the one whose id is the query, else the one whose email is.
      const byApp = new Map<string, UserRecord>();
      for (const row of rows) if (!byApp.has(row.appId) || row.id === query) byApp.set(row.appId, row);
      return [...byApp.values()];
    },

    searchUsers: (app, text, limit) => searchUsers<UserRecord>(database, app, text, limit, USER_FIELDS),

    async insertSession(session, events, limit, profile) {
      if ((await ensureUser(session.appId, session.userId, session.createdAt, profile)).disabled) return { inserted: false, ended: [], disabled: true };
      return prisma.$transaction(async (tx) => {
        let ended: string[] = [];
        if (limit) {
          const room = await checkLimit(tx, session.appId, session.userId, limit);
          if (!room.ok) return { inserted: false, ended: [] };
          ended = room.ended;
        }
        await tx.session.create({ data: session });
        await appendWith(tx, events);
        return { inserted: true, ended };
      });
    },

    async touchSession(app, id, now, staleBefore, idleExpiresAt) {
      const result = await prisma.session.updateMany({
        where: { id, ...inApp(app), ...liveAt(now), lastSeenAt: { lte: staleBefore } },
        data: { lastSeenAt: now, idleExpiresAt },
      });
      return result.count === 1;
    },

    async rotateSession(app, oldId, revocation, successor, events, limit) {
      await ensureUser(successor.appId, successor.userId, successor.createdAt);
      try {
        return await prisma.$transaction(async (tx) => {
          const swapped = await tx.session.updateMany({
            where: { id: oldId, ...inApp(app), ...liveAt(revocation.revokedAt) },
            data: { ...revocation, rotatedToId: successor.id },
          });
          if (swapped.count !== 1) return { outcome: "conflict" as const, ended: [] };
          let ended: string[] = [];
          if (limit) {
            const room = await checkLimit(tx, successor.appId, successor.userId, limit);
            if (!room.ok) throw new LimitReached();
            ended = room.ended;
          }
          await tx.session.create({ data: successor });
          await appendWith(tx, events);
          return { outcome: "rotated" as const, ended };
        });
      } catch (error) {
        if (error instanceof LimitReached) return { outcome: "limit" as const, ended: [] };
        throw error;
      }
    },

    async revokeSession(app, id, revocation, event, options = {}) {
      return prisma.$transaction(async (tx) => {
        const where: SessionWhereInput = { id, ...inApp(app), revokedAt: null };
        if (options.ownerUserId !== undefined) where.userId = options.ownerUserId;
        const result = await tx.session.updateMany({ where, data: revocation });
        if (result.count !== 1) return false;
        await appendWith(tx, [event]);
        return true;
      });
    },

    async revokeSessions(app, target: RevocationTarget, revocation, perSession, summary, options = {}) {
      const params: unknown[] = [];
      const conditions = (first: number) => {
        const parts: string[] = [];
        let n = first;
        const next = () => placeholder(n++);
        if (app !== ALL_APPS) parts.push(`"appId" = ${next()}`);
        if ("familyId" in target) parts.push(`"familyId" = ${next()}`);
        else if ("ids" in target) parts.push(`"id" IN (${target.ids.map(() => next()).join(", ")})`);
        else {
          parts.push(`"userId" = ${next()}`);
          if (target.exceptSessionId) parts.push(`"id" <> ${next()}`);
        }
        return parts.join(" AND ");
      };
      if (app !== ALL_APPS) params.push(app);
      if ("familyId" in target) params.push(target.familyId);
      else if ("ids" in target) params.push(...target.ids);
      else params.push(target.userId, ...(target.exceptSessionId ? [target.exceptSessionId] : []));
      if ("ids" in target && target.ids.length === 0) return [];
      return prisma.$transaction(async (tx) => {
        const ids = await revokeWhere(tx, conditions, params, revocation, perSession);
        if (summary && (ids.length > 0 || options.summaryWhenNone)) await appendWith(tx, [{ ...summary, details: { ...summary.details, revoked: ids.length } }]);
        return ids;
      });
    },

    async findDelegatedServiceSessions(app, now, by) {
      const found = new Set<string>();
      const apps = app === ALL_APPS ? (await prisma.application.findMany({ select: { id: true } })).map((row) => row.id) : [app];
      for (const appId of apps) {
        // Service sessions' users are "service:<client>": a range of the live-sessions index.
        const rows = await prisma.session.findMany({
          where: { appId, userId: { gte: "service:", lt: "service;" }, kind: "service", ...liveAt(now) },
          select: { id: true, metadata: true },
        });
        if (by.delegatedBy) {
          for (const row of rows) if (parseJson<{ delegatedBy?: unknown }>(row.metadata, {}).delegatedBy === by.delegatedBy) found.add(row.id);
        }
        if (by.startedBy) {
          for (let i = 0; i < rows.length; i += 500) {
            const started = await prisma.auditEvent.findMany({
              where: { sessionId: { in: rows.slice(i, i + 500).map((row) => row.id) }, type: "session.created", actorType: "user", actorId: by.startedBy },
              select: { sessionId: true },
            });
            for (const event of started) if (event.sessionId) found.add(event.sessionId);
          }
        }
      }
      return [...found];
    },

    async updateSession(app, id, data, event, options = {}) {
      return prisma.$transaction(async (tx) => {
        const where: SessionWhereInput = { id, ...inApp(app) };
        if (options.ownerUserId !== undefined) where.userId = options.ownerUserId;
        const result = await tx.session.updateMany({ where, data });
        if (result.count !== 1) return false;
        const owner = await tx.session.findUnique({ where: { id }, select: { userId: true } });
        await appendWith(tx, [{ ...event, userId: owner?.userId ?? null }]);
        return true;
      });
    },

    async confirmAuthentication(app, id, now, event) {
      return prisma.$transaction(async (tx) => {
        const result = await tx.session.updateMany({ where: { id, ...inApp(app), ...liveAt(now) }, data: { authenticatedAt: now } });
        if (result.count !== 1) return false;
        const owner = await tx.session.findUnique({ where: { id }, select: { userId: true } });
        await appendWith(tx, [{ ...event, userId: owner?.userId ?? null }]);
        return true;
      });
    },

    async listSessions(app, request, now) {
      const few = await fewLiveKeys(app, request.filter, now, { sort: request.sort, order: request.order, wanted: request.limit });
      if (few) {
        // The rows, read again with the filter: one revoked or swept since its key was read is
        // passed over, and the page filled from the keys after it.
        const ordered = idsInOrder(few, request);
        const where = await filterWhere(app, request.filter, now);
        const page: SessionRecord[] = [];
        for (let from = 0; page.length < request.limit && from < ordered.length; from += request.limit) {
          const ids = ordered.slice(from, from + request.limit);
          const found = new Map((await prisma.session.findMany({ where: { AND: [...where, { id: { in: ids } }] } })).map((row) => [row.id, row]));
          for (const id of ids) {
            const row = found.get(id);
            if (row && page.length < request.limit) page.push(row);
          }
        }
        return page;
      }
      const and = [...(await filterWhere(app, request.filter, now)), ...afterWhere(request)];
      return prisma.session.findMany({
        where: { AND: and },
        orderBy: [{ [request.sort]: request.order }, { id: request.order }],
        take: request.limit,
      });
    },

    async countSessions(app, filter, now, cap) {
      const few = await fewLiveKeys(app, filter, now, { sort: "createdAt", order: "desc", wanted: cap });
      if (few) return few.length;
      // Walks the rows the way the list's default order does, so that the planner takes the same
      // index as the page itself: a bare COUNT with a LIMIT is planned as a scan of the table.
      const rows = await prisma.session.findMany({
        where: { AND: await filterWhere(app, filter, now) },
        select: { id: true },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: cap,
      });
      return rows.length;
    },

    listLiveUserSessions: (appId, userId, now) =>
      prisma.session.findMany({ where: { appId, userId, ...liveAt(now) }, orderBy: [{ lastSeenAt: "desc" }, { id: "desc" }] }),

    async countLiveMatching(app, filter, now) {
      return prisma.session.count({ where: { AND: [liveAt(now), ...(await filterWhere(app, filter, now))] } });
    },

    async pickLiveMatching(app, filter, now, afterId, limit) {
      const rows = await prisma.session.findMany({
        where: { AND: [liveAt(now), ...(await filterWhere(app, filter, now)), ...(afterId ? [{ id: { gt: afterId } }] : [])] },
        select: { id: true },
        orderBy: { id: "asc" },
        take: limit,
      });
      return rows.map((row) => row.id);
    },

    async countInRetention(app, cutoff, now) {
      // A session not revoked ends at its idle expiry, which is never past its absolute cap. Raw:
      // Prisma's aggregate reads SQLite's epoch-millisecond minimum back as an invalid Date.
      const [revoked, expired] = await Promise.all([
        rawQuery<{ n: number | bigint; first: unknown }[]>(prisma, `SELECT count(*) AS "n", min("revokedAt") AS "first" FROM "Session" WHERE "revokedAt" > $1 AND ${appClause(app, 2)}`, [cutoff, ...appParams(app)]),
        rawQuery<{ n: number | bigint; first: unknown }[]>(
          prisma,
          `SELECT count(*) AS "n", min("idleExpiresAt") AS "first" FROM "Session" WHERE "revokedAt" IS NULL AND "idleExpiresAt" > $1 AND "idleExpiresAt" <= $2 AND ${appClause(app, 3)}`,
          [cutoff, now, ...appParams(app)],
        ),
      ]);
      const firsts = [revoked[0]?.first, expired[0]?.first].map(timeOf).filter((value): value is Date => value !== null && !Number.isNaN(value.getTime()));
      return {
        count: Number(revoked[0]?.n ?? 0) + Number(expired[0]?.n ?? 0),
        firstEndedAt: firsts.length > 0 ? new Date(Math.min(...firsts.map((value) => value.getTime()))) : null,
      };
    },

    countSweepable,

    async deadSessionFigures(app, now, cutoffs) {
      // A dead session ended when it was revoked, or else at its idle expiry (never past its
      // absolute cap). Each row is counted under the oldest cutoff it ended by ("age") and the
      // oldest its absolute cap passed ("cap"), so one read answers for every cutoff.
      const ended = `COALESCE(${unindexed('"revokedAt"')}, ${unindexed('"idleExpiresAt"')})`;
      const first = 2 + (app === ALL_APPS ? 0 : 1);
      const oldestFirst = cutoffs.map((_, index) => index).reverse();
      const bucket = (column: string) => `CASE ${oldestFirst.map((index) => `WHEN ${column} <= ${placeholder(first + index)} THEN ${index}`).join(" ")} ELSE -1 END`;
      const rows = await scanSessions<{ age: number | bigint; cap: number | bigint; revoked: number | bigint; n: number | bigint; first: unknown }>(
        (slice) =>
          `SELECT ${bucket(ended)} AS "age", ${bucket(unindexed('"absoluteExpiresAt"'))} AS "cap",
                  CASE WHEN "revokedAt" IS NULL THEN 0 ELSE 1 END AS "revoked", count(*) AS "n", min(${ended}) AS "first"
           FROM "Session"
           WHERE (${unindexed('"revokedAt"')} IS NOT NULL OR ${unindexed('"idleExpiresAt"')} <= $1) AND ${appClause(app, 2).replace('"appId"', unindexed('"appId"'))} AND ${slice}
           GROUP BY 1, 2, 3`,
        [now, ...appParams(app), ...cutoffs],
      );
      const endedBy: SweepCounts[] = cutoffs.map(() => ({ idleExpired: 0, absoluteExpired: 0, revoked: 0 }));
      const retained = { count: 0, firstEndedAt: null as Date | null };
      for (const row of rows) {
        const age = Number(row.age);
        const cap = Number(row.cap);
        const n = Number(row.n);
        if (age < 0) {
          retained.count += n;
          const at = timeOf(row.first);
          if (at && (!retained.firstEndedAt || at < retained.firstEndedAt)) retained.firstEndedAt = at;
          continue;
        }
        // Ended by the cutoffs from `age` on (a later cutoff is newer, so `age` counts toward it too).
        for (let index = 0; index <= age; index++) {
          const counts = endedBy[index]!;
          if (Number(row.revoked) === 1) counts.revoked += n;
          else if (cap >= index) counts.absoluteExpired += n;
          else counts.idleExpired += n;
        }
      }
      return { endedBy, retained };
    },

    async planSweep(app, cutoff, batchSize) {
      if (provider !== "postgresql") return planSqliteSweep(app, cutoff);
      // The planner's own count of rows and pages at its last ANALYZE (-1 rows before the first),
      // the table's size now, and whether this PostgreSQL reads a range of row positions without
      // reading the whole table (TID range scans, PostgreSQL 14).
      const [table] = await rawQuery<{ rows: number; analyzedPages: number; pages: number; version: number }[]>(
        prisma,
        `SELECT "reltuples"::float8 AS "rows", "relpages"::int AS "analyzedPages",
                (pg_relation_size("oid") / current_setting('block_size')::int)::int AS "pages",
                current_setting('server_version_num')::int AS "version"
         FROM pg_class WHERE "oid" = '"Session"'::regclass`,
        [],
      );
      if (!table || table.version < 140_000 || table.rows <= 0 || table.analyzedPages <= 0 || table.pages === 0) return [BY_INDEX];
      const { idleExpired, absoluteExpired, revoked } = await countSweepable(app, cutoff);
      const sweepable = idleExpired + absoluteExpired + revoked;
      if (sweepable < PAGE_WALK_MIN_ROWS || sweepable < table.rows * PAGE_WALK_MIN_SHARE) return [BY_INDEX];
      const pages = Math.min(PAGE_WALK_MAX_PAGES, Math.max(1, Math.floor(batchSize / (table.rows / table.analyzedPages))));
      // The table in PAGE_WALK_LANES stretches, walked at once: a batch spends much of its time
      // waiting on reads and on its commit, which another batch's work can fill.
      const lanes = Math.max(1, Math.min(PAGE_WALK_LANES, Math.floor(table.pages / pages)));
      return Array.from({ length: lanes }, (_, lane) => ({
        by: "pages" as const,
        page: Math.floor((table.pages * lane) / lanes),
        end: Math.floor((table.pages * (lane + 1)) / lanes),
        pages,
      }));
    },

    async sweepBatch(app, cutoff, now, limit, cursor) {
      // Each tombstone is written from its row inside the database, so only the batch's bounds
      // cross to this process: no rows read out and sent back as thousands of parameters.
      if (cursor.by === "rebuild") return { ...(await rebuildSessions(app, cutoff, now)), next: null };
      const tombstones = (sweptAt: string, from: string) => `${tombstonesSql(sweptAt, from)} RETURNING "status"`;
      const statuses = await prisma.$transaction(async (tx) => {
        if (provider === "postgresql") {
          // Sweepers on several instances take turns batch by batch: deletes of overlapping
          // batches would otherwise deadlock. DELETE … RETURNING feeds the tombstones, so each
          // sweeper keeps one for exactly the rows it deleted. Rows are named by their place in
          // the table (ctid); a row updated since the statement began is deleted only if its new
          // version still meets the whole condition, its position included, else a later batch or
          // sweep finds it.
          // Batches of page walks, each through a stretch of pages in their order, lock rows in
          // the same order wherever they overlap: they share the lock, and run at once.
          await tx.$executeRawUnsafe(`SELECT ${cursor.by === "pages" ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock"}(${SWEEP_LOCK})`);
          // Counted in the database: a batch's thousands of statuses do not cross to this process.
          const countedByStatus = `SELECT "status", count(*) AS "n" FROM written GROUP BY "status"`;
          const deleted = "RETURNING \"id\", \"appId\", \"userId\", \"kind\", \"revokedAt\", \"revokedReason\", \"idleExpiresAt\", \"absoluteExpiresAt\", \"createdAt\"";
          if (cursor.by === "pages") {
            return rawQuery<{ status: string; n: number | bigint }[]>(
              tx,
              `WITH gone AS (
                 DELETE FROM "Session" WHERE "ctid" >= $3::tid AND "ctid" < $4::tid AND ${deadSql(() => "$2")}${scopedSql(app, () => "$5")} ${deleted}),
               written AS (${tombstones("$1", `FROM gone`)})
               ${countedByStatus}`,
              [now, cutoff, `(${cursor.page},0)`, `(${Math.min(cursor.page + cursor.pages, cursor.end)},0)`, ...appParams(app)],
            );
          }
          return rawQuery<{ status: string; n: number | bigint }[]>(
            tx,
            `WITH gone AS (
               DELETE FROM "Session" WHERE "ctid" = ANY(ARRAY(${pickDeadSql(app, () => "$2", () => "$4", "$3", `"ctid"`)})) AND ${deadSql(() => "$2")} ${deleted}),
             written AS (${tombstones("$1", `FROM gone`)})
             ${countedByStatus}`,
            [now, cutoff, limit, ...appParams(app)],
          );
        }
        // SQLite runs one write transaction at a time: the batch is picked once, then copied to
        // tombstones and deleted.
        await pick(tx, pickDeadSql(app, () => "$1", () => "$3", "$2"), [cutoff, limit, ...appParams(app)]);
        const written = await rawQuery<{ status: string }[]>(tx, tombstones("$1", `FROM "Session" WHERE "id" IN (SELECT "id" FROM temp."Picked")`), [now]);
        await tx.$executeRawUnsafe(`DELETE FROM "Session" WHERE "id" IN (SELECT "id" FROM temp."Picked")`);
        return written.map(({ status }) => ({ status, n: 1 }));
      });
      const counts: SweepCounts = { idleExpired: 0, absoluteExpired: 0, revoked: 0 };
      for (const { status, n } of statuses) counts[SWEEP_COUNT_OF_STATUS[status]!] += Number(n);
      const scanned = counts.idleExpired + counts.absoluteExpired + counts.revoked;
      const next =
        cursor.by === "pages"
          ? cursor.page + cursor.pages < cursor.end
            ? { ...cursor, page: cursor.page + cursor.pages }
            : null
          : scanned < limit
            ? null
            : cursor;
      return { ...counts, scanned, next };
    },

    async pruneDeviceTexts() {
      // SQLite's triggers let go of them row by row; PostgreSQL's table is pruned here, once a
      // sweep is done, each value checked through its column's index.
      if (provider !== "postgresql") return;
      for (const field of DEVICE_FIELDS) {
        await prisma.$executeRawUnsafe(
          `DELETE FROM "SessionDeviceText" d WHERE d."field" = '${field}' AND NOT EXISTS (SELECT 1 FROM "Session" s WHERE s."${field}" = d."value")`,
        );
      }
    },

    findSweptSession: (app, id): Promise<SweptSessionRecord | null> => prisma.sweptSession.findUnique({ where: { id, ...inApp(app) } }),

    async deleteOAuthStatesBefore(app, cutoff) {
      // Consumed states are found by a scan (an index on consumedAt would cost every issue and
      // consume). SQLite deletes through the table a stretch at a time: a sign-in storm leaves
      // millions of states, and one statement would hold every request for seconds.
      const old = (first: number) => `("expiresAt" < ${placeholder(first)} OR "consumedAt" < ${placeholder(first)}) AND ${appClause(app, first + 1)}`;
      if (provider === "postgresql") return rawExecute(prisma, `DELETE FROM "OAuthState" WHERE ${old(1)}`, [cutoff, ...appParams(app)]);
      let deleted = 0;
      await inRowidSlices("OAuthState", DELETE_SLICE, async (low, high) => {
        deleted += await rawExecute(prisma, `DELETE FROM "OAuthState" WHERE rowid > $1 AND rowid <= $2 AND ${old(3)}`, [low, high, cutoff, ...appParams(app)]);
        return true;
      });
      return deleted;
    },

    async insertRefusals(entries) {
      await insertRows(prisma, "Refusal", REFUSAL_COLUMNS, entries);
    },

    async deleteRefusalsBefore(cutoff) {
      return (await prisma.refusal.deleteMany({ where: { at: { lt: cutoff } } })).count;
    },

    async listRefusals(app, { sessionId, userId, since, limit }) {
      const rows = await prisma.refusal.findMany({
        where: { ...inApp(app), sessionId, userId, at: since ? { gte: since } : undefined },
        orderBy: [{ at: "desc" }, { id: "desc" }],
        take: limit,
      });
      return rows.map((row) => ({ ...row, reason: row.reason as RefusalView["reason"], operation: row.operation as RefusalView["operation"] }));
    },

    async setUserDisabled(appId, userId, disabledAt, reason, event) {
      return prisma.$transaction(async (tx) => {
        const result = await tx.user.updateMany({
          where: { appId, id: userId },
          data: { disabledAt, disabledReason: reason, updatedAt: event.at },
        });
        if (result.count !== 1) return false;
        await appendWith(tx, [event]);
        return true;
      });
    },

    async insertOAuthState(state, event) {
      await prisma.$transaction(async (tx) => {
        await tx.oAuthState.create({ data: state });
        await appendWith(tx, [event]);
      });
    },

    findOAuthState: (appId, id): Promise<OAuthStateRecord | null> => prisma.oAuthState.findUnique({ where: { id, appId } }),

    async consumeOAuthState(appId, id, now, event) {
      return prisma.$transaction(async (tx) => {
        const result = await tx.oAuthState.updateMany({
          where: { id, appId, consumedAt: null, expiresAt: { gt: now } },
          data: { consumedAt: now },
        });
        if (result.count !== 1) return false;
        await appendWith(tx, [event]);
        return true;
      });
    },

    async appendEvents(events) {
      if (events.length > 0) await prisma.auditEvent.createMany({ data: events.map(auditEventRow) });
    },

    async listEvents(app, filter: AuditEventFilter): Promise<AuditEventView[]> {
      const and: AuditEventWhereInput[] = [inApp(app)];
      if (filter.sessionId) and.push({ sessionId: filter.sessionId });
      if (filter.userId) {
        and.push({ userId: filter.userId });
        // Across applications, through the (appId, userId) index one application at a time:
        // PostgreSQL cannot skip along its first column, and read the whole log instead.
        const apps = app === ALL_APPS ? await distinctAuditValues("appId") : null;
        if (apps) and.push({ appId: { in: apps } });
      }
      if (filter.type) and.push({ type: filter.type });
      if (filter.from || filter.to) and.push({ at: { gte: filter.from, lte: filter.to } });
      if (filter.before) and.push({ id: { lt: filter.before } });
      const newest = (where: AuditEventWhereInput) => prisma.auditEvent.findMany({ where: { AND: [...and, where] }, orderBy: { id: "desc" }, take: filter.limit });
      let rows: Awaited<ReturnType<typeof newest>>;
      if (filter.actor) {
        // The actors' labels are few (accounts, keys, "latchkey"): those containing the text are
        // found first, then their events through the label's index, and the actor's with that id
        // through its own; each newest first, merged. (Asked as one OR, SQLite read the whole log.)
        const labels = await distinctAuditValues("actorLabel");
        const text = filter.actor.toLowerCase();
        const matching = labels?.filter((value) => value.toLowerCase().includes(text));
        // One read per label, each in its index's order: a read of several labels at once would
        // take every event of theirs and sort them (an API key's label can hold most of the log).
        const byLabel = !matching
          ? [newest({ actorLabel: contains(filter.actor) })]
          : matching.length <= LABELS_READ_APART
            ? matching.map((value) => newest({ actorLabel: value }))
            : [newest({ actorLabel: { in: matching } })];
        const lists = await Promise.all([newest({ actorId: filter.actor }), ...byLabel]);
        const seen = new Set<number>();
        rows = lists
          .flat()
          .sort((a, b) => b.id - a.id)
          .filter((row) => !seen.has(row.id) && seen.add(row.id))
          .slice(0, filter.limit);
      } else {
        rows = await newest({});
      }
      return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
    },

    async acquireLease(name, holder, now, expiresAt) {
      const taken = await prisma.lease.updateMany({
        where: { name, OR: [{ expiresAt: { lte: now } }, { holder }] },
        data: { holder, expiresAt },
      });
      if (taken.count === 1) return true;
      try {
        await prisma.lease.create({ data: { name, holder, expiresAt } });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return false;
        throw error;
      }
    },

    async releaseLease(name, holder) {
      await prisma.lease.deleteMany({ where: { name, holder } });
    },

    async statistics(app, now) {
      const hour = 3_600_000;
      const day = 24 * hour;
      const hoursFrom = new Date(Math.floor(now.getTime() / hour) * hour - 47 * hour);
      const daysFrom = new Date(Math.floor(now.getTime() / day) * day - 29 * day);
      const revokedSince = new Date(now.getTime() - day);
      const ending = ENDING_REASONS.map((reason) => `'${reason}'`).join(", ");
      const inScope = appClause(app, 3).replace('"appId"', unindexed('"appId"'));
      // Each session once: live (1), ended without revocation and not yet swept (2), revoked in
      // the last 24 hours for a reason that ended the sign-in (3), anything else (0).
      const state = `CASE WHEN "revokedAt" IS NOT NULL THEN (CASE WHEN "revokedAt" >= $2 AND "revokedReason" IN (${ending}) THEN 3 ELSE 0 END)
                          WHEN "idleExpiresAt" > $1 AND "absoluteExpiresAt" > $1 THEN 1 ELSE 2 END`;
      const hourOf = provider === "postgresql" ? `floor(extract(epoch from "createdAt") * 1000 / ${hour})::bigint` : `CAST("createdAt" / ${hour} AS INTEGER)`;
      const [states, created] = await Promise.all([
        scanSessions<{ state: number | bigint; browser: string | null; os: string | null; deviceType: string | null; n: number | bigint }>(
          (slice) => `SELECT ${state} AS "state", "browser", "os", "deviceType", count(*) AS "n" FROM "Session" WHERE ${inScope} AND ${slice} GROUP BY 1, 2, 3, 4`,
          [now, revokedSince, ...appParams(app)],
        ),
        scanSessions<{ hour: number | bigint; n: number | bigint }>(
          (slice) => `SELECT ${hourOf} AS "hour", count(*) AS "n" FROM "Session" WHERE ${unindexed('"createdAt"')} >= $1 AND ${appClause(app, 2).replace('"appId"', unindexed('"appId"'))} AND ${slice} GROUP BY 1`,
          [daysFrom, ...appParams(app)],
        ),
      ]);
      const totals = [0, 0, 0, 0];
      const tops = { browser: new Map<string, number>(), os: new Map<string, number>(), deviceType: new Map<string, number>() };
      for (const row of states) {
        const n = Number(row.n);
        totals[Number(row.state)]! += n;
        if (Number(row.state) !== 1) continue;
        for (const field of ["browser", "os", "deviceType"] as const) {
          const value = row[field];
          if (value !== null) tops[field].set(value, (tops[field].get(value) ?? 0) + n);
        }
      }
      const perHour = new Map<number, number>();
      const perDay = new Map<number, number>();
      for (const row of created) {
        const at = Number(row.hour) * hour;
        const n = Number(row.n);
        if (at >= hoursFrom.getTime()) perHour.set(at, (perHour.get(at) ?? 0) + n);
        const dayAt = Math.floor(at / day) * day;
        perDay.set(dayAt, (perDay.get(dayAt) ?? 0) + n);
      }
      const top = (counts: Map<string, number>) =>
        [...counts]
          .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
          .slice(0, 5)
          .map(([value, count]) => ({ value, count }));
      return {
        active: totals[1]!,
        expiredNotSwept: totals[2]!,
        revokedLast24h: totals[3]!,
        revokedSince,
        createdPerHour: fill(perHour, hoursFrom, hour, 48),
        createdPerDay: fill(perDay, daysFrom, day, 30),
        topBrowsers: top(tops.browser),
        topOperatingSystems: top(tops.os),
        topDeviceTypes: top(tops.deviceType),
      };
    },
  };
}

/** Thrown inside a rotation's transaction to roll it back when the session limit refuses it. */
class LimitReached extends Error {}
