import type { AuditEventWhereInput, SessionWhereInput } from "../../generated/sqlite/models.ts";
import type {
  AuditEventFilter,
  OAuthStateRecord,
  RevocationFields,
  SessionRepository,
  SweptSessionRecord,
} from "../sessions/repository";
import type { AuditEventInput, AuditEventView, SessionPageRequest, SessionRecord, SessionStatus, SweepCounts } from "../sessions/types";
import { auditEventRow } from "./audit";
import type { Database, Db } from "./client";
import { escapeLike, textMatchers } from "./text-match";
import type { RefusalView } from "../sessions/refusal-log";
import type { DatabaseProvider } from "./url";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const USER_FIELDS = {
  id: true,
  email: true,
  name: true,
  consoleRole: true,
  mustChangePassword: true,
  disabledAt: true,
  disabledReason: true,
  createdAt: true,
} as const;

/** Advisory lock key held by a PostgreSQL sweep batch. */
const SWEEP_LOCK = 7_301_246;

/** Unrevoked and before both expiries at `now`. */
function liveAt(now: Date): SessionWhereInput {
  return { revokedAt: null, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } };
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

const REFUSAL_COLUMNS = ["at", "reason", "operation", "source", "sessionId", "userId", "revokedReason", "ip", "userAgent"] as const;
const AUDIT_COLUMNS = ["at", "type", "actorType", "actorId", "actorLabel", "sessionId", "userId", "details"] as const;

/** The engine's storage on Prisma, for SQLite and PostgreSQL alike. */
export function createPrismaSessionRepository(database: Database): SessionRepository {
  const { prisma, provider } = database;
  const { contains, startsWith } = textMatchers(provider);

  /**
   * The filter for sessions whose label, browser, OS or user agent contains `text`. On
   * PostgreSQL, a LIKE that its trigram indexes serve. On SQLite, the distinct device texts that
   * contain it are looked up first (the "SessionDeviceText" table of the migrations), then:
   * up to DEVICE_CANDIDATE_LIMIT sessions hold them, their ids, found through the column
   * indexes; more, the LIKE, since walking the sort index finds a page soon when matches are
   * common; a text with LIKE wildcards in it, the matching values themselves, as SQLite's LIKE
   * cannot take `%` and `_` literally here. Over DEVICE_MATCH_LIMIT distinct matching texts,
   * the LIKE.
   */
  async function deviceWhere(text: string): Promise<SessionWhereInput> {
    const like: SessionWhereInput = { OR: DEVICE_FIELDS.map((field) => ({ [field]: contains(text) })) };
    if (provider === "postgresql") return like;
    const matches = await prisma.$queryRawUnsafe<{ field: DeviceField; value: string }[]>(
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

  /** Sessions created per bucket since `from`, counted in the database. */
  async function histogram(from: Date, bucketMs: number): Promise<Map<number, number>> {
    const rows =
      provider === "postgresql"
        ? await prisma.$queryRawUnsafe<{ bucket: number | bigint | string; count: number | bigint | string }[]>(
            `SELECT floor(extract(epoch from "createdAt") * 1000 / $2)::bigint AS bucket, count(*)::bigint AS count FROM "Session" WHERE "createdAt" >= $1 GROUP BY 1`,
            from,
            bucketMs,
          )
        : await prisma.$queryRawUnsafe<{ bucket: number | bigint | string; count: number | bigint | string }[]>(
            `SELECT CAST("createdAt" / ? AS INTEGER) AS bucket, count(*) AS count FROM "Session" WHERE "createdAt" >= ? GROUP BY 1`,
            bucketMs,
            from,
          );
    return new Map(rows.map((row) => [Number(row.bucket) * bucketMs, Number(row.count)]));
  }

  function fill(counts: Map<number, number>, from: Date, bucketMs: number, buckets: number) {
    return Array.from({ length: buckets }, (_, index) => {
      const at = from.getTime() + index * bucketMs;
      return { at: new Date(at), count: counts.get(at) ?? 0 };
    });
  }

  /** The most common values of a parsed user-agent field among live sessions. */
  async function top(field: "browser" | "os" | "deviceType", now: Date) {
    const rows = await prisma.session.groupBy({
      by: [field],
      where: { ...liveAt(now), [field]: { not: null } },
      _count: { _all: true },
      orderBy: { _count: { [field]: "desc" } },
      take: 5,
    });
    return rows.map((row) => ({ value: String(row[field]), count: row._count._all }));
  }

  /**
   * Creates the user row for an id seen for the first time. Outside the session's transaction:
   * two first sessions of one user may race here, and on PostgreSQL a failed insert would abort
   * the transaction around it.
   */
  async function ensureUser(id: string, at: Date) {
    if (await prisma.user.findUnique({ where: { id }, select: { id: true } })) return;
    try {
      await prisma.user.create({ data: { id, createdAt: at, updatedAt: at } });
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
  }

  /** A value as this provider's raw statements bind it: SQLite keeps times as epoch milliseconds. */
  const bound = (value: unknown) => (value instanceof Date && provider !== "postgresql" ? value.getTime() : value);
  const placeholder = (n: number) => (provider === "postgresql" ? `$${n}` : "?");

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
      await client.$executeRawUnsafe(`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES ${values.join(", ")}`, ...params);
    }
  }

  /**
   * SQLite: fills this connection's temporary "Picked" table with the ids `select` returns, so
   * the statements after it in the transaction work on the same rows without sending them back.
   */
  async function pick(tx: Tx, select: string, params: unknown[]) {
    await tx.$executeRawUnsafe(`CREATE TEMP TABLE IF NOT EXISTS "Picked" ("id" TEXT PRIMARY KEY) WITHOUT ROWID`);
    await tx.$executeRawUnsafe(`DELETE FROM temp."Picked"`);
    await tx.$executeRawUnsafe(`INSERT INTO temp."Picked" ${select}`, ...params.map(bound));
  }

  async function appendWith(tx: Db | Tx, events: AuditEventInput[]) {
    await insertRows(tx, "AuditEvent", AUDIT_COLUMNS, events.map(auditEventRow));
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

  function filterWhere(
    request: SessionPageRequest,
    now: Date,
    userIds: string[] | null,
    device: SessionWhereInput | null,
  ): SessionWhereInput[] {
    const { filter } = request;
    const and: SessionWhereInput[] = [];
    if (filter.status && filter.status.length > 0) and.push({ OR: filter.status.map((status) => statusWhere(status, now, provider)) });
    if (filter.sessionId) and.push({ id: filter.sessionId });
    if (filter.userId) and.push({ userId: filter.userId });
    if (filter.familyId) and.push({ familyId: filter.familyId });
    if (userIds) and.push({ userId: { in: userIds } });
    if (filter.kind) and.push({ kind: filter.kind });
    if (filter.tenantId) and.push({ tenantId: filter.tenantId });
    if (filter.ip) and.push(/[.:]$/.test(filter.ip) ? ipPrefix(filter.ip) : { ip: filter.ip });
    if (device) and.push(device);
    if (filter.createdFrom || filter.createdTo) and.push({ createdAt: { gte: filter.createdFrom, lte: filter.createdTo } });
    if (filter.lastSeenFrom || filter.lastSeenTo) and.push({ lastSeenAt: { gte: filter.lastSeenFrom, lte: filter.lastSeenTo } });
    if (request.after) {
      const { value, id } = request.after;
      const beyond = request.order === "desc" ? { lt: value } : { gt: value };
      const idBeyond = request.order === "desc" ? { lt: id } : { gt: id };
      and.push({ OR: [{ [request.sort]: beyond }, { [request.sort]: value, id: idBeyond }] });
    }
    return and;
  }

  return {
    findSession: (id) => prisma.session.findUnique({ where: { id } }),

    async findSessionWithUser(id) {
      const row = await prisma.session.findUnique({ where: { id }, include: { user: { select: USER_FIELDS } } });
      if (!row) return null;
      const { user, ...session } = row;
      return { session, user };
    },

    findUser: (id) => prisma.user.findUnique({ where: { id }, select: USER_FIELDS }),
    findUserByEmail: (email) => prisma.user.findUnique({ where: { email }, select: USER_FIELDS }),

    async insertSession(session, events) {
      await ensureUser(session.userId, session.createdAt);
      await prisma.$transaction(async (tx) => {
        await tx.session.create({ data: session });
        await appendWith(tx, events);
      });
    },

    async touchSession(id, now, staleBefore, idleExpiresAt) {
      const result = await prisma.session.updateMany({
        where: { id, ...liveAt(now), lastSeenAt: { lte: staleBefore } },
        data: { lastSeenAt: now, idleExpiresAt },
      });
      return result.count === 1;
    },

    async rotateSession(oldId, revocation, successor, events) {
      await ensureUser(successor.userId, successor.createdAt);
      return prisma.$transaction(async (tx) => {
        const swapped = await tx.session.updateMany({
          where: { id: oldId, ...liveAt(revocation.revokedAt) },
          data: { ...revocation, rotatedToId: successor.id },
        });
        if (swapped.count !== 1) return false;
        await tx.session.create({ data: successor });
        await appendWith(tx, events);
        return true;
      });
    },

    async revokeSession(id, revocation, event, options = {}) {
      return prisma.$transaction(async (tx) => {
        const where: SessionWhereInput = { id, revokedAt: null };
        if (options.ownerUserId !== undefined) where.userId = options.ownerUserId;
        const result = await tx.session.updateMany({ where, data: revocation });
        if (result.count !== 1) return false;
        await appendWith(tx, [event]);
        return true;
      });
    },

    async revokeSessions(scope, revocation, perSession, summary) {
      // The revocation and its events are written inside the database, from the rows themselves:
      // a user with ten thousand sessions is logged out everywhere in one short transaction.
      const scopeParams: unknown[] = "familyId" in scope ? [scope.familyId] : [scope.userId, ...(scope.exceptSessionId ? [scope.exceptSessionId] : [])];
      const inScope = (first: number) =>
        ("familyId" in scope ? [`"familyId" = ${placeholder(first)}`] : [`"userId" = ${placeholder(first)}`, ...(scope.exceptSessionId ? [`"id" <> ${placeholder(first + 1)}`] : [])])
          .concat(`"revokedAt" IS NULL`)
          .join(" AND ");
      const revoke = (first: number) =>
        `UPDATE "Session" SET "revokedAt" = ${placeholder(first)}, "revokedReason" = ${placeholder(first + 1)}, "revokedBy" = ${placeholder(first + 2)}, "revokeNote" = ${placeholder(first + 3)}`;
      const revocationParams = [revocation.revokedAt, revocation.revokedReason, revocation.revokedBy, revocation.revokeNote];
      const row = auditEventRow(perSession);
      const eventParams = [row.at, row.type, row.actorType, row.actorId, row.actorLabel, row.details];
      const logEvents = (first: number, from: string) =>
        `INSERT INTO "AuditEvent" ("at", "type", "actorType", "actorId", "actorLabel", "sessionId", "userId", "details")
         SELECT ${[0, 1, 2, 3, 4].map((i) => placeholder(first + i)).join(", ")}, "id", "userId", ${placeholder(first + 5)} ${from}`;
      return prisma.$transaction(async (tx) => {
        let ids: string[];
        if (provider === "postgresql") {
          const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
            `WITH revoked AS (${revoke(1)} WHERE ${inScope(5)} RETURNING "id", "userId"),
                  logged AS (${logEvents(5 + scopeParams.length, "FROM revoked")})
             SELECT "id" FROM revoked`,
            ...revocationParams,
            ...scopeParams,
            ...eventParams,
          );
          ids = rows.map((r) => r.id);
        } else {
          // One write transaction at a time: the sessions are picked once, then revoked and logged.
          await pick(tx, `SELECT "id" FROM "Session" WHERE ${inScope(1)}`, scopeParams);
          await tx.$executeRawUnsafe(`${revoke(1)} WHERE "id" IN (SELECT "id" FROM temp."Picked")`, ...revocationParams.map(bound));
          await tx.$executeRawUnsafe(logEvents(1, `FROM "Session" WHERE "id" IN (SELECT "id" FROM temp."Picked")`), ...eventParams.map(bound));
          ids = (await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM temp."Picked"`)).map((r) => r.id);
        }
        if (summary) await appendWith(tx, [{ ...summary, details: { ...summary.details, revoked: ids.length } }]);
        return ids;
      });
    },

    async updateSession(id, data, event, options = {}) {
      return prisma.$transaction(async (tx) => {
        const where: SessionWhereInput = { id };
        if (options.ownerUserId !== undefined) where.userId = options.ownerUserId;
        const result = await tx.session.updateMany({ where, data });
        if (result.count !== 1) return false;
        const owner = await tx.session.findUnique({ where: { id }, select: { userId: true } });
        await appendWith(tx, [{ ...event, userId: owner?.userId ?? null }]);
        return true;
      });
    },

    async confirmAuthentication(id, now, event) {
      return prisma.$transaction(async (tx) => {
        const result = await tx.session.updateMany({ where: { id, ...liveAt(now) }, data: { authenticatedAt: now } });
        if (result.count !== 1) return false;
        const owner = await tx.session.findUnique({ where: { id }, select: { userId: true } });
        await appendWith(tx, [{ ...event, userId: owner?.userId ?? null }]);
        return true;
      });
    },

    async listSessions(request, now) {
      let userIds: string[] | null = null;
      if (request.filter.user) {
        const byEmail = await prisma.user.findMany({
          where: { email: request.filter.user.toLowerCase() },
          select: { id: true },
        });
        userIds = [request.filter.user, ...byEmail.map((user) => user.id)];
      }
      const device = request.filter.device ? await deviceWhere(request.filter.device) : null;
      return prisma.session.findMany({
        where: { AND: filterWhere(request, now, userIds, device) },
        orderBy: [{ [request.sort]: request.order }, { id: request.order }],
        take: request.limit,
      });
    },

    listLiveUserSessions: (userId, now) =>
      prisma.session.findMany({ where: { userId, ...liveAt(now) }, orderBy: [{ lastSeenAt: "desc" }, { id: "desc" }] }),

    async countSweepable(cutoff) {
      const [revoked, absoluteExpired, idleExpired] = await Promise.all([
        prisma.session.count({ where: { revokedAt: { lte: cutoff } } }),
        prisma.session.count({ where: { revokedAt: null, absoluteExpiresAt: { lte: cutoff } } }),
        prisma.session.count({
          where: { revokedAt: null, idleExpiresAt: { lte: cutoff }, absoluteExpiresAt: { gt: cutoff } },
        }),
      ]);
      return { revoked, absoluteExpired, idleExpired };
    },

    async sweepBatch(cutoff, now, limit) {
      // Each tombstone is written from its row inside the database, so only the batch's bounds
      // cross to this process: no rows read out and sent back as thousands of parameters.
      const dead = (cut: () => string) =>
        `("revokedAt" <= ${cut()} OR ("revokedAt" IS NULL AND "idleExpiresAt" <= ${cut()}) OR ("revokedAt" IS NULL AND "absoluteExpiresAt" <= ${cut()}))`;
      // Up to `limit` dead ids, as three disjoint index ranges (revoked, idle-expired, past the
      // absolute cap) read one after the other until the limit. Written as one OR, the planner may
      // scan the table instead, which on a table of mostly live sessions reads it all again for
      // every batch (20 ms a batch at 100,000 sessions, against under 1 ms). SQLite's statistics
      // rate the revokedAt index poorly (most rows hold NULL), so it is named there.
      const revokedIndex = provider === "postgresql" ? "" : ` INDEXED BY "Session_revokedAt_idx"`;
      const pickDead = (cut: () => string, limit: string) =>
        `SELECT "id" FROM "Session"${revokedIndex} WHERE "revokedAt" <= ${cut()}
         UNION ALL SELECT "id" FROM "Session" WHERE "revokedAt" IS NULL AND "idleExpiresAt" <= ${cut()}
         UNION ALL SELECT "id" FROM "Session" WHERE "revokedAt" IS NULL AND "absoluteExpiresAt" <= ${cut()} AND "idleExpiresAt" > ${cut()}
         LIMIT ${limit}`;
      const end = (revoked: string, absolute: string, idle: string) =>
        `CASE WHEN "revokedAt" IS NOT NULL THEN ${revoked} WHEN "absoluteExpiresAt" <= "idleExpiresAt" THEN ${absolute} ELSE ${idle} END`;
      const tombstones = (sweptAt: string, from: string) =>
        `INSERT INTO "SweptSession" ("id", "userId", "kind", "status", "revokedReason", "endedAt", "createdAt", "sweptAt")
         SELECT "id", "userId", "kind", ${end(`'${TOMBSTONE_STATUS.revoked}'`, `'${TOMBSTONE_STATUS.absoluteExpired}'`, `'${TOMBSTONE_STATUS.idleExpired}'`)},
                "revokedReason", ${end(`"revokedAt"`, `"absoluteExpiresAt"`, `"idleExpiresAt"`)}, "createdAt", ${sweptAt}
         ${from} RETURNING "status"`;
      const statuses = await prisma.$transaction(async (tx) => {
        if (provider === "postgresql") {
          // Sweepers on several instances take turns batch by batch: deletes of overlapping
          // batches would otherwise deadlock. DELETE … RETURNING feeds the tombstones, so each
          // sweeper keeps one for exactly the rows it deleted.
          await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SWEEP_LOCK})`);
          return tx.$queryRawUnsafe<{ status: string }[]>(
            `WITH gone AS (
               DELETE FROM "Session" WHERE "id" IN (${pickDead(() => "$2", "$3")}) AND ${dead(() => "$2")}
               RETURNING "id", "userId", "kind", "revokedAt", "revokedReason", "idleExpiresAt", "absoluteExpiresAt", "createdAt")
             ${tombstones("$1", `FROM gone`)}`,
            now,
            cutoff,
            limit,
          );
        }
        // SQLite runs one write transaction at a time: the batch is picked once, then copied to
        // tombstones and deleted.
        await pick(tx, pickDead(() => "?", "?"), [cutoff, cutoff, cutoff, cutoff, limit]);
        const written = await tx.$queryRawUnsafe<{ status: string }[]>(tombstones("?", `FROM "Session" WHERE "id" IN (SELECT "id" FROM temp."Picked")`), bound(now));
        await tx.$executeRawUnsafe(`DELETE FROM "Session" WHERE "id" IN (SELECT "id" FROM temp."Picked")`);
        return written;
      });
      const counts: SweepCounts = { idleExpired: 0, absoluteExpired: 0, revoked: 0 };
      for (const { status } of statuses) counts[SWEEP_COUNT_OF_STATUS[status]!] += 1;
      return { ...counts, scanned: statuses.length };
    },

    findSweptSession: (id): Promise<SweptSessionRecord | null> => prisma.sweptSession.findUnique({ where: { id } }),

    async insertRefusals(entries) {
      await insertRows(prisma, "Refusal", REFUSAL_COLUMNS, entries);
    },

    async deleteRefusalsBefore(cutoff) {
      return (await prisma.refusal.deleteMany({ where: { at: { lt: cutoff } } })).count;
    },

    async listRefusals({ sessionId, userId, since, limit }) {
      const rows = await prisma.refusal.findMany({
        where: { sessionId, userId, at: since ? { gte: since } : undefined },
        orderBy: [{ at: "desc" }, { id: "desc" }],
        take: limit,
      });
      return rows.map((row) => ({ ...row, reason: row.reason as RefusalView["reason"], operation: row.operation as RefusalView["operation"] }));
    },

    async setUserDisabled(userId, disabledAt, reason, event) {
      return prisma.$transaction(async (tx) => {
        const result = await tx.user.updateMany({
          where: { id: userId },
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

    findOAuthState: (id): Promise<OAuthStateRecord | null> => prisma.oAuthState.findUnique({ where: { id } }),

    async consumeOAuthState(id, now, event) {
      return prisma.$transaction(async (tx) => {
        const result = await tx.oAuthState.updateMany({
          where: { id, consumedAt: null, expiresAt: { gt: now } },
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

    async listEvents(filter: AuditEventFilter): Promise<AuditEventView[]> {
      const and: AuditEventWhereInput[] = [];
      if (filter.sessionId) and.push({ sessionId: filter.sessionId });
      if (filter.userId) and.push({ userId: filter.userId });
      if (filter.type) and.push({ type: filter.type });
      if (filter.actor) and.push({ OR: [{ actorId: filter.actor }, { actorLabel: contains(filter.actor) }] });
      if (filter.from || filter.to) and.push({ at: { gte: filter.from, lte: filter.to } });
      if (filter.before) and.push({ id: { lt: filter.before } });
      const rows = await prisma.auditEvent.findMany({ where: { AND: and }, orderBy: { id: "desc" }, take: filter.limit });
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

    async statistics(now) {
      const hour = 3_600_000;
      const day = 24 * hour;
      const hoursFrom = new Date(Math.floor(now.getTime() / hour) * hour - 47 * hour);
      const daysFrom = new Date(Math.floor(now.getTime() / day) * day - 29 * day);
      const [active, expiredNotSwept, revokedLast24h, perHour, perDay, browsers, systems, devices] = await Promise.all([
        prisma.session.count({ where: liveAt(now) }),
        prisma.session.count({ where: { revokedAt: null, OR: [{ idleExpiresAt: { lte: now } }, { absoluteExpiresAt: { lte: now } }] } }),
        prisma.session.count({ where: { revokedAt: { gt: new Date(now.getTime() - day) } } }),
        histogram(hoursFrom, hour),
        histogram(daysFrom, day),
        top("browser", now),
        top("os", now),
        top("deviceType", now),
      ]);
      return {
        active,
        expiredNotSwept,
        revokedLast24h,
        createdPerHour: fill(perHour, hoursFrom, hour, 48),
        createdPerDay: fill(perDay, daysFrom, day, 30),
        topBrowsers: browsers,
        topOperatingSystems: systems,
        topDeviceTypes: devices,
      };
    },
  };
}

