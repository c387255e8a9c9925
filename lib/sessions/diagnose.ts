import { toSessionView, toUserView, type EngineContext } from "./context";
import { policyOf, withPolicy, type AppScope, type ApplicationRecord } from "./policy";
import type { RefusalView } from "./refusal-log";
import type { SweptSessionRecord } from "./repository";
import { diagnoseSchema, parseInput, type DiagnoseInput } from "./schemas";
import { sessionStatus } from "./status";
import { TOKEN_PREFIX, parseToken, secretMatches } from "./tokens";
import type { AuditEventView, SessionRecord, SessionView, UserRecord, UserView } from "./types";

/** The one-word answer to "why is this refused?" (or "it is not"). */
export const Verdict = {
  NOT_A_TOKEN: "NOT_A_TOKEN",
  UNKNOWN_SESSION: "UNKNOWN_SESSION",
  SWEPT: "SWEPT",
  SECRET_MISMATCH: "SECRET_MISMATCH",
  REVOKED: "REVOKED",
  REUSE_DETECTED: "REUSE_DETECTED",
  REPLACED: "REPLACED",
  IDLE_EXPIRED: "IDLE_EXPIRED",
  ABSOLUTE_EXPIRED: "ABSOLUTE_EXPIRED",
  USER_DISABLED: "USER_DISABLED",
  APP_DISABLED: "APP_DISABLED",
  ACTIVE: "ACTIVE",
  UNKNOWN_USER: "UNKNOWN_USER",
  SEVERAL_USERS: "SEVERAL_USERS",
  NO_SESSIONS: "NO_SESSIONS",
  ALL_SESSIONS_ENDED: "ALL_SESSIONS_ENDED",
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export type Evidence = Record<string, string | number | null>;

/** A diagnosis: the verdict, a sentence saying it in plain words, and what it rests on. */
export interface Diagnosis {
  subject: "token" | "session" | "user";
  verdict: Verdict;
  summary: string;
  evidence: Evidence;
  /** The application the session or user belongs to. */
  application: { id: string; name: string } | null;
  session: SessionView | null;
  swept: SweptSessionRecord | null;
  user: UserView | null;
  /** A user's sessions, newest first (a session diagnosis: the session's rotation family). */
  sessions: SessionView[];
  /** Audit events of the session or user, newest first. */
  events: AuditEventView[];
  /** Recent refusals of the session or user, newest first. */
  refusals: RefusalView[];
  /** Users the query named in several applications (verdict SEVERAL_USERS): choose one. */
  candidates: UserView[];
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const TIMELINE = 50;

/** "26 Nov 2026 14:02 UTC": times in diagnoses are in UTC, to the minute. */
export function formatTime(date: Date): string {
  const day = date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return `${day} ${date.toISOString().slice(11, 16)} UTC`;
}

/** "3 minutes", "2 hours", "5 days". */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY, "day"],
    [60 * MINUTE, "hour"],
    [MINUTE, "minute"],
    [1000, "second"],
  ];
  for (const [size, name] of units) {
    if (Math.abs(ms) >= size) {
      const n = Math.round(ms / size);
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return "0 seconds";
}

/** "support@example.com", "API key billing-app", "the system (sweep)", from a revokedBy label. */
export function describeActor(label: string | null): string {
  if (!label) return "an unknown actor";
  const colon = label.indexOf(":");
  const type = colon < 0 ? "" : label.slice(0, colon);
  const name = colon < 0 ? label : label.slice(colon + 1);
  if (type === "api_key") return `API key ${name}`;
  if (type === "system") return `the system (${name})`;
  return name;
}

const REASON_WORDS: Record<string, string> = {
  LOGGED_OUT_EVERYWHERE: "log out everywhere",
  SIGNED_OUT: "signed out",
  USER_DISABLED: "user disabled",
  REUSE_DETECTED: "reuse detected",
  ROTATED: "replaced by a rotation",
  REVOKED: "revoked",
  SESSION_LIMIT: "session limit",
};

function reasonWords(reason: string | null, note: string | null): string {
  const words = reason ? (REASON_WORDS[reason] ?? reason) : "no reason given";
  return note ? `${words}, ${note}` : words;
}

function who(user: UserRecord | null, userId: string): string {
  return user?.email ?? userId;
}

/** Why a string is not a session token, in words, without repeating any of it. */
function malformation(token: string): string {
  const expected = `expected ${TOKEN_PREFIX.session}, a 22-character id, a dot and a 43-character secret`;
  if (token.length === 0) return "Nothing was pasted.";
  if (token.startsWith(TOKEN_PREFIX.apiKey)) return "This is an API key, not a session token.";
  if (token.startsWith(TOKEN_PREFIX.oauthState)) return "This is an OAuth state, not a session token.";
  if (/^Bearer\s/i.test(token)) return `Not a Latchkey token: remove the "Bearer " in front (${expected}).`;
  if (/\s/.test(token)) return `Not a Latchkey token: it contains spaces or line breaks (${expected}).`;
  if (!token.startsWith(TOKEN_PREFIX.session)) return `Not a Latchkey token: it does not start with ${TOKEN_PREFIX.session} (${expected}).`;
  const body = token.slice(TOKEN_PREFIX.session.length);
  if (!body.includes(".")) return "Not a Latchkey token: expected two parts separated by a dot, an id and a secret.";
  const [id = "", secret = ""] = body.split(".", 2);
  if (id.length !== 22) return `Not a Latchkey token: its id has ${id.length} characters, not 22.`;
  if (secret.length !== 43) return `Not a Latchkey token: its secret has ${secret.length} characters, not 43 (cut short or run on).`;
  return `Not a Latchkey token: it has characters a token never has (${expected}).`;
}

/**
 * Answers "why is this token, session or user refused?" from the engine's own records, within
 * `scope` (what lies in another application is unknown here). Reads only.
 */
function diagnostics(ctx: EngineContext, scope: AppScope) {
  const { repository, clock } = ctx;
  const view = toSessionView;
  const userView = toUserView;

  async function timeline(app: AppScope, filter: { sessionId?: string; userId?: string }): Promise<{ events: AuditEventView[]; refusals: RefusalView[] }> {
    const [events, refusals] = await Promise.all([
      repository.listEvents(app, { ...filter, limit: TIMELINE }),
      repository.listRefusals(app, { ...filter, limit: TIMELINE }),
    ]);
    return { events, refusals };
  }

  async function family(session: SessionRecord, now: Date): Promise<SessionView[]> {
    const rows = await repository.listSessions(
      session.appId,
      { filter: { familyId: session.familyId }, sort: "createdAt", order: "desc", limit: TIMELINE },
      now,
    );
    return rows.map((row) => view(row, now));
  }

  function base(subject: Diagnosis["subject"], app: ApplicationRecord | null = null): Omit<Diagnosis, "verdict" | "summary" | "evidence"> {
    return { subject, application: app ? { id: app.id, name: app.name } : null, session: null, swept: null, user: null, sessions: [], events: [], refusals: [], candidates: [] };
  }
  /** A session that is gone: swept (its tombstone says when and how it ended) or never here. */
  async function missing(subject: Diagnosis["subject"], sessionId: string): Promise<Diagnosis> {
    const swept = await repository.findSweptSession(scope, sessionId);
    const { events, refusals } = await timeline(swept?.appId ?? scope, { sessionId });
    if (!swept) {
      return {
        ...base(subject),
        events,
        refusals,
        verdict: Verdict.UNKNOWN_SESSION,
        summary: `No session ${sessionId} exists here, and none was swept: the token was not issued by this Latchkey (another installation or environment?).`,
        evidence: { sessionId },
      };
    }
    const ended = swept.status === "revoked" ? `revoked (${reasonWords(swept.revokedReason, null)})` : swept.status;
    return {
      ...base(subject, await ctx.applications.get(swept.appId)),
      swept,
      events,
      refusals,
      verdict: Verdict.SWEPT,
      summary: `No such session: it was swept on ${formatTime(swept.sweptAt)} (${ended} ${formatDuration(swept.sweptAt.getTime() - swept.endedAt.getTime())} before).`,
      evidence: {
        sessionId,
        userId: swept.userId,
        status: swept.status,
        endedAt: swept.endedAt.toISOString(),
        sweptAt: swept.sweptAt.toISOString(),
      },
    };
  }

  /** The state of a session that exists, and why it is (or is not) accepted. */
  async function explain(subject: Diagnosis["subject"], stored: SessionRecord, user: UserRecord): Promise<Diagnosis> {
    const now = clock.now();
    const app = await ctx.applications.get(stored.appId);
    const policy = app ? policyOf(app, ctx.defaultPolicy) : ctx.defaultPolicy;
    // As resolve sees it: under the application's current policy.
    const session = withPolicy(stored, policy);
    const [{ events, refusals }, sessions] = await Promise.all([timeline(session.appId, { sessionId: session.id }), family(session, now)]);
    const found = { ...base(subject, app), session: view(session, now), user: userView(user), sessions, events, refusals };
    const owner = who(user, session.userId);
    const evidence: Evidence = { sessionId: session.id, userId: session.userId, appId: session.appId };

    if (app?.disabledAt) {
      return {
        ...found,
        verdict: Verdict.APP_DISABLED,
        summary: `The application ${app.name} was disabled on ${formatTime(app.disabledAt)}: every session of it is refused and its API keys are refused too, until an admin enables it again.`,
        evidence: { ...evidence, appDisabledAt: app.disabledAt.toISOString() },
      };
    }

    if (session.revokedAt && session.revokedReason === "ROTATED") {
      const reuse = events.find((event) => event.type === "session.reuse_detected");
      const rotatedAt = session.revokedAt;
      Object.assign(evidence, { rotatedAt: rotatedAt.toISOString(), replacedBy: session.rotatedToId });
      if (reuse) {
        return {
          ...found,
          verdict: Verdict.REUSE_DETECTED,
          summary: `This token was rotated at ${formatTime(rotatedAt)} and replaced; presenting it again at ${formatTime(reuse.at)} looked like theft, so the whole family was revoked.`,
          evidence: { ...evidence, reuseDetectedAt: reuse.at.toISOString(), familyId: session.familyId },
        };
      }
      const graceEnds = new Date(rotatedAt.getTime() + policy.rotationGraceSeconds * 1000);
      const tail =
        now < graceEnds
          ? `it is still accepted until ${formatTime(graceEnds)} for requests that were in flight`
          : "the application must use the new token: presenting this one again will be taken as theft and revoke the whole family";
      return {
        ...found,
        verdict: Verdict.REPLACED,
        summary: `This token was rotated at ${formatTime(rotatedAt)} and replaced by session ${session.rotatedToId ?? "(unknown)"}; ${tail}.`,
        evidence: { ...evidence, graceEndsAt: graceEnds.toISOString() },
      };
    }
    if (session.revokedAt) {
      Object.assign(evidence, {
        revokedAt: session.revokedAt.toISOString(),
        revokedBy: session.revokedBy,
        revokedReason: session.revokedReason,
        revokeNote: session.revokeNote,
      });
      if (session.revokedReason === "REUSE_DETECTED") {
        return {
          ...found,
          verdict: Verdict.REUSE_DETECTED,
          summary: `Session ${session.id} of ${owner} was revoked at ${formatTime(session.revokedAt)} because a replaced token of its family was presented again, which looked like theft.`,
          evidence: { ...evidence, familyId: session.familyId },
        };
      }
      return {
        ...found,
        verdict: Verdict.REVOKED,
        summary: `Session ${session.id} of ${owner} was revoked at ${formatTime(session.revokedAt)} by ${describeActor(session.revokedBy)} (${reasonWords(session.revokedReason, session.revokeNote)}).`,
        evidence,
      };
    }
    const status = sessionStatus(session, now);
    if (status === "absolute-expired") {
      const lifetime = session.absoluteExpiresAt.getTime() - session.createdAt.getTime();
      return {
        ...found,
        verdict: Verdict.ABSOLUTE_EXPIRED,
        summary: `Absolute cap reached on ${formatTime(session.absoluteExpiresAt)} (sessions last at most ${formatDuration(lifetime)}, however active).`,
        evidence: { ...evidence, createdAt: session.createdAt.toISOString(), absoluteExpiresAt: session.absoluteExpiresAt.toISOString() },
      };
    }
    if (status === "idle-expired") {
      return {
        ...found,
        verdict: Verdict.IDLE_EXPIRED,
        summary: `Idle-expired ${formatDuration(now.getTime() - session.idleExpiresAt.getTime())} ago: last seen ${formatTime(session.lastSeenAt)}, idle timeout ${formatDuration(session.idleTimeoutSeconds * 1000)}.`,
        evidence: {
          ...evidence,
          lastSeenAt: session.lastSeenAt.toISOString(),
          idleExpiresAt: session.idleExpiresAt.toISOString(),
          idleTimeoutSeconds: session.idleTimeoutSeconds,
        },
      };
    }
    if (user.disabledAt) {
      return {
        ...found,
        verdict: Verdict.USER_DISABLED,
        summary: `${owner} was disabled at ${formatTime(user.disabledAt)}${user.disabledReason ? ` (${user.disabledReason})` : ""}: their sessions are refused.`,
        evidence: { ...evidence, disabledAt: user.disabledAt.toISOString(), disabledReason: user.disabledReason },
      };
    }
    return {
      ...found,
      verdict: Verdict.ACTIVE,
      summary: `Session ${session.id} of ${owner} is active: last seen ${formatTime(session.lastSeenAt)}; it idles out at ${formatTime(session.idleExpiresAt)} and ends for good at ${formatTime(session.absoluteExpiresAt)}.`,
      evidence: { ...evidence, lastSeenAt: session.lastSeenAt.toISOString(), idleExpiresAt: session.idleExpiresAt.toISOString() },
    };
  }

  async function diagnoseToken(token: string): Promise<Diagnosis> {
    const parsed = parseToken("session", token);
    if (!parsed) {
      // A token cut short still names its session: say which, so the operator can look further.
      const id = /^lks_([A-Za-z0-9_-]{22})\./.exec(token)?.[1];
      const named = id ? await repository.findSessionWithUser(scope, id) : null;
      if (named) {
        return {
          ...(await explain("token", named.session, named.user)),
          verdict: Verdict.SECRET_MISMATCH,
          summary: `The id matches session ${named.session.id} of ${who(named.user, named.session.userId)}, but the secret is malformed: ${malformation(token)}`,
          evidence: { sessionId: named.session.id, userId: named.session.userId },
        };
      }
      return { ...base("token"), verdict: Verdict.NOT_A_TOKEN, summary: malformation(token), evidence: {} };
    }
    const found = await repository.findSessionWithUser(scope, parsed.id);
    if (!found) return missing("token", parsed.id);
    if (!secretMatches(parsed.secret, found.session.secretHash)) {
      return {
        ...(await explain("token", found.session, found.user)),
        verdict: Verdict.SECRET_MISMATCH,
        summary: `The id matches session ${found.session.id} of ${who(found.user, found.session.userId)} but the secret does not: the token was altered or cut short.`,
        evidence: { sessionId: found.session.id, userId: found.session.userId },
      };
    }
    return explain("token", found.session, found.user);
  }

  async function diagnoseSession(sessionId: string): Promise<Diagnosis> {
    const found = await repository.findSessionWithUser(scope, sessionId);
    return found ? explain("session", found.session, found.user) : missing("session", sessionId);
  }

  async function diagnoseUser(query: string): Promise<Diagnosis> {
    const matches = await repository.findUsersByIdOrEmail(scope, query);
    if (matches.length === 0) {
      return { ...base("user"), verdict: Verdict.UNKNOWN_USER, summary: `No user has the id or email ${query}.`, evidence: { query } };
    }
    if (matches.length > 1) {
      const apps = await Promise.all(matches.map((match) => ctx.applications.get(match.appId)));
      return {
        ...base("user"),
        candidates: matches.map(userView),
        verdict: Verdict.SEVERAL_USERS,
        summary: `${matches.length} users have the id or email ${query}, in ${apps.map((app, i) => app?.name ?? matches[i]!.appId).join(", ")}: choose the application.`,
        evidence: { query, users: matches.length },
      };
    }
    const user = matches[0]!;
    const app = await ctx.applications.get(user.appId);
    const now = clock.now();
    const [{ events, refusals }, rows] = await Promise.all([
      timeline(user.appId, { userId: user.id }),
      repository.listSessions(user.appId, { filter: { userId: user.id }, sort: "createdAt", order: "desc", limit: TIMELINE }, now),
    ]);
    const sessions = rows.map((row) => view(row, now));
    const found = { ...base("user", app), user: userView(user), sessions, events, refusals };
    const name = who(user, user.id);
    const evidence: Evidence = { userId: user.id, appId: user.appId, sessions: sessions.length, refusals: refusals.length };
    const lastRefusal = refusals[0];
    const refusedLately = lastRefusal
      ? ` The last refused request was at ${formatTime(lastRefusal.at)} (${lastRefusal.reason.toLowerCase().replaceAll("_", " ")}).`
      : "";

    if (user.disabledAt) {
      const disabled = events.find((event) => event.type === "user.disabled");
      return {
        ...found,
        verdict: Verdict.USER_DISABLED,
        summary: `Every request since ${formatTime(user.disabledAt)} is refused because ${name} was disabled${disabled ? ` by ${disabled.actorLabel ?? disabled.actorType}` : ""}${user.disabledReason ? ` (${user.disabledReason})` : ""}: all sessions were ended and new ones are refused.${refusedLately}`,
        evidence: { ...evidence, disabledAt: user.disabledAt.toISOString(), disabledReason: user.disabledReason },
      };
    }
    if (sessions.length === 0) {
      return {
        ...found,
        verdict: Verdict.NO_SESSIONS,
        summary: `${name} has no sessions: none was started, or all were swept.${refusedLately}`,
        evidence,
      };
    }
    const active = sessions.filter((session) => session.status === "active");
    if (active.length > 0) {
      return {
        ...found,
        verdict: Verdict.ACTIVE,
        summary: `${name} has ${active.length} active session${active.length === 1 ? "" : "s"}, last seen ${formatTime(active.reduce((a, b) => (a.lastSeenAt > b.lastSeenAt ? a : b)).lastSeenAt)}.${refusedLately}`,
        evidence: { ...evidence, active: active.length },
      };
    }
    // Nothing is live: the cause is how the last sessions ended.
    const endOf = (s: SessionView) => s.revokedAt ?? (s.status === "absolute-expired" ? s.absoluteExpiresAt : s.idleExpiresAt);
    const last = sessions.reduce((a, b) => (endOf(a) > endOf(b) ? a : b));
    const lastEnd = endOf(last);
    let cause: string;
    if (last.revokedAt && last.revokedReason !== "ROTATED") {
      const together = sessions.filter((s) => s.revokedBy === last.revokedBy && s.revokedReason === last.revokedReason);
      cause = `${together.length === sessions.length ? "all sessions were" : "the last live session was"} revoked by ${describeActor(last.revokedBy)} (${reasonWords(last.revokedReason, last.revokeNote)})`;
    } else if (last.status === "absolute-expired") {
      cause = "the last live session reached its absolute cap";
    } else {
      cause = "the last live session idled out";
    }
    return {
      ...found,
      verdict: Verdict.ALL_SESSIONS_ENDED,
      summary: `Every request since ${formatTime(lastEnd)} is refused because ${cause}.${refusedLately}`,
      evidence: { ...evidence, lastEndedAt: lastEnd.toISOString(), lastSessionId: last.id, revokedBy: last.revokedBy, revokedReason: last.revokedReason },
    };
  }

  return { diagnoseToken, diagnoseSession, diagnoseUser };
}

/**
 * Why a pasted token, a session or a user is refused (or that it is not), in plain words with
 * the evidence, within `scope`. Reads only: a replaced token diagnosed here does not set off
 * reuse detection, and the token is neither stored nor logged.
 */
export async function diagnose(ctx: EngineContext, scope: AppScope, input: DiagnoseInput): Promise<Diagnosis> {
  const valid = parseInput(diagnoseSchema, input);
  const run = diagnostics(ctx, scope);
  if (valid.token !== undefined) return run.diagnoseToken(valid.token);
  if (valid.sessionId !== undefined) return run.diagnoseSession(valid.sessionId);
  return run.diagnoseUser(valid.user as string);
}
