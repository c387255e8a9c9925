import { ALL_APPS, type AppScope } from "../sessions/policy";
import type { Database } from "./client";
import { escapeLike, textMatchers, userSearchWhere } from "./text-match";

/** The users list's order, newest first (the indexes on createdAt, appId, id serve it). */
const ORDER_BY = [{ createdAt: "desc" }, { appId: "desc" }, { id: "desc" }] as const;
const ORDER_SQL = `"createdAt" DESC, "appId" DESC, "id" DESC`;
/** The User columns a search may return; the order's three are always among them. */
type SearchFields = { appId: true; id: true; createdAt: true } & Partial<Record<"email" | "name" | "consoleRole" | "mustChangePassword" | "disabledAt" | "disabledReason", true>>;

/** How many of the newest users the PostgreSQL search reads before it turns to the trigram indexes. */
export const SEARCH_WALK = 2000;

/**
 * The users search (the users page, the debugger): users of `app` whose id is `query`, or whose id,
 * email or name holds it (userSearchWhere), newest first, at most `limit`, with the `fields` asked.
 * An empty query lists the newest users.
 *
 * Most searches find a page among the newest users, which one walk of the list's index reads; but
 * a text whose matches are all older (a name from last year, or "user_3" among 300,000 users) would
 * walk the whole index for them. On PostgreSQL the walk reads the newest SEARCH_WALK users only;
 * when they hold fewer than `limit` matches, every match is found through the trigram indexes on
 * the id, email and name (migration 20261201130000_user_search_trigram) and the newest are taken,
 * in a MATERIALIZED query so that the planner cannot turn it back into the walk. SQLite has no such
 * index and walks (a read of the whole table at worst).
 */
export async function searchUsers<T>({ prisma, provider }: Database, app: AppScope, query: string, limit: number, fields: SearchFields): Promise<T[]> {
  const text = query.trim();
  const scope = app === ALL_APPS ? {} : { appId: app };
  if (!text || provider !== "postgresql") {
    const where = text ? { ...scope, ...userSearchWhere(text, textMatchers(provider)) } : scope;
    return (await prisma.user.findMany({ where, select: fields, orderBy: [...ORDER_BY], take: limit })) as T[];
  }
  const columns = Object.keys(fields)
    .map((field) => `"${field}"`)
    .join(", ");
  // An id equal to the text holds it too, so the three ILIKEs are the whole match (and each has
  // its index). Emails are matched against the text lower-cased, as userSearchWhere does.
  const params: unknown[] = [`%${escapeLike(text)}%`, limit, `%${escapeLike(text.toLowerCase())}%`];
  const inScope = app === ALL_APPS ? "TRUE" : `"appId" = $${params.push(app)}`;
  const match = `("id" ILIKE $1 OR "email" ILIKE $3 OR "name" ILIKE $1)`;
  const newest = await prisma.$queryRawUnsafe<T[]>(
    `SELECT ${columns} FROM (SELECT ${columns} FROM "User" WHERE ${inScope} ORDER BY ${ORDER_SQL} LIMIT ${SEARCH_WALK}) AS "newest"
     WHERE ${match} ORDER BY ${ORDER_SQL} LIMIT $2`,
    ...params,
  );
  if (newest.length >= limit) return newest;
  return prisma.$queryRawUnsafe<T[]>(
    `WITH "matches" AS MATERIALIZED (SELECT ${columns} FROM "User" WHERE ${inScope} AND ${match})
     SELECT ${columns} FROM "matches" ORDER BY ${ORDER_SQL} LIMIT $2`,
    ...params,
  );
}
