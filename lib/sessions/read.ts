import { concreteApp, scopeKey, toSessionView, toUserView, type EngineContext } from "./context";
import { ErrorCode, SessionError } from "./errors";
import type { AppScope } from "./policy";
import type { SweptSessionRecord } from "./repository";
import { auditFilterSchema, identifierSchema, listSessionsSchema, parseInput, sessionIdSchema, type AuditFilterInput, type ListSessionsInput } from "./schemas";
import type { AuditEventView, SessionStatistics, SessionView, UserView } from "./types";

export interface SessionPage {
  items: SessionView[];
  nextCursor: string | null;
}

function encodeCursor(value: Date, id: string): string {
  return Buffer.from(JSON.stringify([value.getTime(), id])).toString("base64url");
}

function decodeCursor(cursor: string): { value: Date; id: string } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      Number.isSafeInteger(decoded[0]) &&
      typeof decoded[1] === "string" &&
      decoded[1].length <= 64
    ) {
      return { value: new Date(decoded[0] as number), id: decoded[1] };
    }
  } catch {
    // fall through to the validation error
  }
  throw new SessionError(ErrorCode.VALIDATION_FAILED, "Invalid input: cursor: is not a cursor from a previous page.", {
    issues: [{ field: "cursor", message: "is not a cursor from a previous page" }],
  });
}

/** One session by id, in any status; SESSION_NOT_FOUND when there is none in `scope`. */
export async function getSessionOrThrow(ctx: EngineContext, scope: AppScope, sessionId: string): Promise<SessionView> {
  const found = await getSession(ctx, scope, sessionId);
  if (!found) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId });
  return found;
}

/** One session by id, in any status, or null. */
export async function getSession(ctx: EngineContext, scope: AppScope, sessionId: string): Promise<SessionView | null> {
  const id = sessionIdSchema.safeParse(sessionId);
  if (!id.success) return null;
  const record = await ctx.repository.findSession(scope, id.data);
  return record ? toSessionView(record, ctx.clock.now()) : null;
}

/** What is left of a swept session, if it was swept. */
export async function getSweptSession(ctx: EngineContext, scope: AppScope, sessionId: string): Promise<SweptSessionRecord | null> {
  const id = sessionIdSchema.safeParse(sessionId);
  return id.success ? ctx.repository.findSweptSession(scope, id.data) : null;
}

/**
 * Every session in `scope`, expired and revoked included, filtered and sorted, a page at a
 * time. The cursor is opaque: pass `nextCursor` back to get the following page.
 */
export async function listSessions(ctx: EngineContext, scope: AppScope, input: ListSessionsInput = {}): Promise<SessionPage> {
  const valid = parseInput(listSessionsSchema, input);
  const now = ctx.clock.now();
  const { sort, order, limit, cursor, ...filter } = valid;
  const rows = await ctx.repository.listSessions(scope, { filter, sort, order, limit: limit + 1, after: cursor ? decodeCursor(cursor) : undefined }, now);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toSessionView(row, now)),
    nextCursor: rows.length > limit && last ? encodeCursor(last[sort], last.id) : null,
  };
}

/** How many sessions a list's filters match: exactly up to `cap`, else "more than `cap`". */
export async function countSessions(ctx: EngineContext, scope: AppScope, input: ListSessionsInput = {}, cap = 1_000): Promise<{ count: number; more: boolean }> {
  const { sort: _sort, order: _order, limit: _limit, cursor: _cursor, ...filter } = parseInput(listSessionsSchema, input);
  const count = await ctx.repository.countSessions(scope, filter, ctx.clock.now(), cap + 1);
  return count > cap ? { count: cap, more: true } : { count, more: false };
}

/** The users whose id, or email, is `query`: at most one per application. */
export async function findUsers(ctx: EngineContext, scope: AppScope, query: string): Promise<UserView[]> {
  const valid = identifierSchema.safeParse(query);
  if (!valid.success) return [];
  return (await ctx.repository.findUsersByIdOrEmail(scope, valid.data)).map(toUserView);
}

/** One user's live sessions, most recently active first. */
export async function listUserSessions(ctx: EngineContext, scope: AppScope, userId: string): Promise<SessionView[]> {
  const appId = concreteApp(scope);
  const id = parseInput(identifierSchema, userId);
  const now = ctx.clock.now();
  const rows = await ctx.repository.listLiveUserSessions(appId, id, now);
  return rows.map((row) => toSessionView(row, now));
}

/** Audit events, newest first, filtered; `nextBefore` pages further back. */
export async function listEvents(ctx: EngineContext, scope: AppScope, input: AuditFilterInput = {}): Promise<{ items: AuditEventView[]; nextBefore: number | null }> {
  const filter = parseInput(auditFilterSchema, input);
  const items = await ctx.repository.listEvents(scope, { ...filter, limit: filter.limit + 1 });
  const page = items.slice(0, filter.limit);
  return { items: page, nextBefore: items.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
}

/**
 * Counts and distributions for the overview page: a pass over every session, so shared (see
 * figures.ts): live while cheap, otherwise as of their last computation, refreshed each minute.
 */
export async function getStatistics(ctx: EngineContext, scope: AppScope): Promise<SessionStatistics & { asOf: Date; live: boolean }> {
  const figures = await ctx.figures.get(`statistics:${scopeKey(scope)}`, () => ctx.repository.statistics(scope, ctx.clock.now()));
  return { ...figures.value, asOf: figures.asOf, live: figures.live };
}
