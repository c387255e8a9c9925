import { toSessionView, toUserView, type EngineContext } from "./context";
import { policyOf, withPolicy, type AppScope, type ApplicationRecord } from "./policy";
import type { RefusalView } from "./refusal-log";
import type { SweptSessionRecord } from "./repository";
import { diagnoseSchema, parseInput, type DiagnoseInput } from "./schemas";
import { sessionStatus } from "./status";
import { parseUserAgent } from "./user-agent";
import { TOKEN_PREFIX, parseToken, secretMatches } from "./tokens";
import { describeActor, describeOrigin, durationWords, formatDuration, formatTime, reasonWords } from "./words";
import { REISSUED_NOTE, type AuditEventView, type SessionRecord, type SessionView, type UserRecord, type UserView } from "./types";

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
  /** The verdict in plain words: what went wrong, leading. */
  summary: string;
  /** What it means for the person, in one line ("not disabled; a new sign-in works; …"); null when there is nothing to add. */
  meaning: string | null;
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
/** What went wrong this recently leads a user's verdict. */
const RECENT = 7 * DAY;

/** When a session ended: revoked, or the expiry it passed. */
function endOf(session: SessionView): Date {
  return session.revokedAt ?? (session.status === "absolute-expired" ? session.absoluteExpiresAt : session.idleExpiresAt);
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

  /**
   * A replayed token of session `replayedId`: when it was replaced and presented again, from
   * where (the refusal of the replay), against where its owner signed in. Null when no reuse
   * was recorded for it.
   */
  async function theft(app: AppScope, replayedId: string, familyId: string) {
    const [reuse] = await repository.listEvents(app, { sessionId: replayedId, type: "session.reuse_detected", limit: 1 });
    if (!reuse) return null;
    const [replay] = (await repository.listRefusals(app, { sessionId: replayedId, limit: TIMELINE })).filter((refusal) => refusal.reason === "REUSE_DETECTED");
    const replaced = await repository.findSession(app, replayedId);
    const rotatedAt = typeof reuse.details.rotatedAt === "string" ? new Date(reuse.details.rotatedAt) : (replaced?.revokedAt ?? null);
    const presentedAt = replay?.at ?? reuse.at;
    const later = rotatedAt ? ` ${formatDuration(presentedAt.getTime() - rotatedAt.getTime())} after it was replaced by a newer one` : "";
    const replayOrigin = replay ? describeOrigin(replay.ip, replay.userAgent, parseUserAgent(replay.userAgent)) : null;
    const ownerOrigin = replaced ? describeOrigin(replaced.ip, replaced.userAgent, replaced) : null;
    const from = replayOrigin ? ` from ${replayOrigin}` : "";
    const ownerFrom = ownerOrigin ? `; its owner signed in from ${ownerOrigin}` : "";
    const ended = await repository.listSessions(app, { filter: { familyId }, sort: "createdAt", order: "desc", limit: TIMELINE }, clock.now());
    const count = ended.filter((row) => row.revokedReason === "REUSE_DETECTED").length;
    return {
      summary: `A replaced token was presented again at ${formatTime(presentedAt)}${from},${later}${ownerFrom}. That looked like theft, so every session of that sign-in was revoked.`,
      evidence: {
        replayedSessionId: replayedId,
        sessionsRevoked: count,
        rotatedAt: rotatedAt?.toISOString() ?? null,
        reuseDetectedAt: presentedAt.toISOString(),
        replayIp: replay?.ip ?? null,
        replayUserAgent: replay?.userAgent ?? null,
        ownerIp: replaced?.ip ?? null,
        ownerUserAgent: replaced?.userAgent ?? null,
      },
      at: presentedAt,
    };
  }

  function base(subject: Diagnosis["subject"], app: ApplicationRecord | null = null): Omit<Diagnosis, "verdict" | "summary" | "evidence"> {
    return {
      subject,
      application: app ? { id: app.id, name: app.name } : null,
      meaning: null,
      session: null,
      swept: null,
      user: null,
      sessions: [],
      events: [],
      refusals: [],
      candidates: [],
    };
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
      const rotatedAt = session.revokedAt;
      Object.assign(evidence, { rotatedAt: rotatedAt.toISOString(), replacedBy: session.rotatedToId });
      const stolen = await theft(session.appId, session.id, session.familyId);
      if (stolen) {
        return {
          ...found,
          verdict: Verdict.REUSE_DETECTED,
          summary: stolen.summary,
          meaning: `${owner}'s token was copied: the whole sign-in was ended. Nothing stops a new sign-in; consider a password reset in the application.`,
          evidence: { ...evidence, ...stolen.evidence, familyId: session.familyId },
        };
      }
      const graceEnds = new Date(rotatedAt.getTime() + policy.rotationGraceSeconds * 1000);
      const reissued = session.revokeNote === REISSUED_NOTE;
      const tail = reissued
        ? "its owner signed in again, which refuses the old token at once (no grace window); presenting it again after the window will be taken as theft"
        : now < graceEnds
          ? `it is still accepted until ${formatTime(graceEnds)} for requests that were in flight`
          : "the application must use the new token: presenting this one again will be taken as theft and revoke the whole family";
      return {
        ...found,
        verdict: Verdict.REPLACED,
        summary: `This token was replaced by a newer one (session ${session.rotatedToId ?? "unknown"}) at ${formatTime(rotatedAt)}; ${tail}.`,
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
        const replayed = /^rotated token of session ([A-Za-z0-9_-]{22}) presented again$/.exec(session.revokeNote ?? "")?.[1];
        const stolen = replayed ? await theft(session.appId, replayed, session.familyId) : null;
        return {
          ...found,
          verdict: Verdict.REUSE_DETECTED,
          summary: stolen
            ? `Session ${session.id} of ${owner} was revoked at ${formatTime(session.revokedAt)}: ${stolen.summary.charAt(0).toLowerCase()}${stolen.summary.slice(1)}`
            : `Session ${session.id} of ${owner} was revoked at ${formatTime(session.revokedAt)} because a replaced token of its sign-in was presented again, which looked like theft.`,
          meaning: `${owner}'s token was copied: the whole sign-in was ended. Nothing stops a new sign-in; consider a password reset in the application.`,
          evidence: { ...evidence, ...stolen?.evidence, familyId: session.familyId },
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
      const lifetime = session.absoluteExpiresAt.getTime() - session.startedAt.getTime();
      return {
        ...found,
        verdict: Verdict.ABSOLUTE_EXPIRED,
        summary: `Absolute cap reached on ${formatTime(session.absoluteExpiresAt)} (sessions last at most ${formatDuration(lifetime)} from sign-in, however active).`,
        evidence: { ...evidence, createdAt: session.createdAt.toISOString(), absoluteExpiresAt: session.absoluteExpiresAt.toISOString() },
      };
    }
    if (status === "idle-expired") {
      return {
        ...found,
        verdict: Verdict.IDLE_EXPIRED,
        summary: `Idle-expired ${formatDuration(now.getTime() - session.idleExpiresAt.getTime())} ago, at ${formatTime(session.idleExpiresAt)}: last seen ${formatTime(session.lastSeenAt)}, idle timeout ${durationWords(session.idleTimeoutSeconds)}.`,
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

  /** The users a query names: by id or email exactly, else by part of an id, email or name (as the users search finds them). */
  async function usersNamed(query: string): Promise<UserRecord[]> {
    const exact = await repository.findUsersByIdOrEmail(scope, query);
    return exact.length > 0 ? exact : repository.searchUsers(scope, query, 20);
  }

  /**
   * The most recent thing that went wrong for a user within the last days, in words: a replayed
   * token, sessions revoked by someone, a session that expired. Null when nothing did.
   */
  async function lastTrouble(user: UserRecord, sessions: SessionView[], events: AuditEventView[], now: Date) {
    const since = now.getTime() - RECENT;
    const name = who(user, user.id);
    // `cause`: the same without its time, after "every request since <time> is refused:".
    const found: { at: Date; verdict: Verdict; summary: string; cause: string; meaning: string; evidence: Evidence }[] = [];
    const reuse = events.find((event) => event.type === "session.reuse_detected" && event.at.getTime() >= since);
    if (reuse?.sessionId) {
      const stolen = await theft(user.appId, reuse.sessionId, String(reuse.details.familyId ?? ""));
      if (stolen) {
        found.push({
          at: stolen.at,
          verdict: Verdict.REUSE_DETECTED,
          summary: stolen.summary,
          cause: stolen.summary,
          meaning: `${name} is not disabled and a new sign-in works, but their token was copied: check the address above, and consider a password reset in the application.`,
          evidence: stolen.evidence,
        });
      }
    }
    // Revocations by someone (a rotation replaces a token; the person signing out ends their own).
    const revoked = sessions.filter(
      (s) => s.revokedAt && s.revokedAt.getTime() >= since && !["ROTATED", "SIGNED_OUT", "REUSE_DETECTED"].includes(s.revokedReason ?? ""),
    );
    const lastRevoked = revoked.reduce<SessionView | null>((a, b) => (!a || b.revokedAt! > a.revokedAt! ? b : a), null);
    if (lastRevoked) {
      const together = revoked.filter((s) => s.revokedBy === lastRevoked.revokedBy && s.revokedReason === lastRevoked.revokedReason && s.revokeNote === lastRevoked.revokeNote);
      const how = reasonWords(lastRevoked.revokedReason, lastRevoked.revokeNote);
      found.push({
        at: lastRevoked.revokedAt!,
        verdict: Verdict.REVOKED,
        summary: `${together.length === 1 ? "A session was" : `${together.length.toLocaleString("en-US")} sessions were`} revoked by ${describeActor(lastRevoked.revokedBy)} at ${formatTime(lastRevoked.revokedAt!)} (${how}).`,
        cause: `${together.length === 1 ? "a session was" : `${together.length === sessions.length ? "all" : ""} ${together.length.toLocaleString("en-US")} sessions were`.trim()} revoked by ${describeActor(lastRevoked.revokedBy)} (${how}).`,
        meaning:
          lastRevoked.revokedReason === "SESSION_LIMIT"
            ? `${name} started more sessions than the application allows; the oldest or least used ended. A new sign-in works.`
            : `${name} is not disabled: a new sign-in works.`,
        evidence: { revokedAt: lastRevoked.revokedAt!.toISOString(), revokedBy: lastRevoked.revokedBy, revokedReason: lastRevoked.revokedReason, revokeNote: lastRevoked.revokeNote },
      });
    }
    const expired = sessions.filter((s) => !s.revokedAt && s.status !== "active" && endOf(s).getTime() >= since);
    const lastExpired = expired.reduce<SessionView | null>((a, b) => (!a || endOf(b) > endOf(a) ? b : a), null);
    if (lastExpired) {
      const device = lastExpired.deviceLabel ?? ([lastExpired.browser, lastExpired.os].filter(Boolean).join(" on ") || "an unknown device");
      const idle = lastExpired.status === "idle-expired";
      found.push({
        at: endOf(lastExpired),
        verdict: idle ? Verdict.IDLE_EXPIRED : Verdict.ABSOLUTE_EXPIRED,
        summary: idle
          ? `The session on ${device} idle-expired at ${formatTime(lastExpired.idleExpiresAt)}: last seen ${formatTime(lastExpired.lastSeenAt)}, idle timeout ${durationWords(lastExpired.idleTimeoutSeconds)}.`
          : `The session on ${device} reached its absolute cap at ${formatTime(lastExpired.absoluteExpiresAt)}, ${formatDuration(lastExpired.absoluteExpiresAt.getTime() - lastExpired.startedAt.getTime())} after its sign-in.`,
        cause: idle
          ? `the session on ${device} idled out (last seen ${formatTime(lastExpired.lastSeenAt)}, idle timeout ${durationWords(lastExpired.idleTimeoutSeconds)}).`
          : `the session on ${device} reached its absolute cap, ${formatDuration(lastExpired.absoluteExpiresAt.getTime() - lastExpired.startedAt.getTime())} after its sign-in.`,
        meaning: idle
          ? `${name} is not disabled: sessions end after ${durationWords(lastExpired.idleTimeoutSeconds)} without activity, and signing in again is all it takes.`
          : `${name} is not disabled: sessions end a fixed time after sign-in however active, and signing in again is all it takes.`,
        evidence: { endedSessionId: lastExpired.id, endedAt: endOf(lastExpired).toISOString(), lastSeenAt: lastExpired.lastSeenAt.toISOString() },
      });
    }
    // The most recent leads; a theft outranks what happened in the same minute (its family's revocation).
    found.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.verdict === Verdict.REUSE_DETECTED ? -1 : 0));
    return { latest: found[0] ?? null, earlier: found.slice(1) };
  }

  async function diagnoseUser(query: string): Promise<Diagnosis> {
    const matches = await usersNamed(query);
    if (matches.length === 0) {
      return { ...base("user"), verdict: Verdict.UNKNOWN_USER, summary: `No user has the id, email or name ${query}, or one that contains it.`, evidence: { query } };
    }
    if (matches.length > 1) {
      const apps = await Promise.all(matches.map((match) => ctx.applications.get(match.appId)));
      const names = matches.map((match, i) => `${who(match, match.id)} (${apps[i]?.name ?? match.appId})`);
      return {
        ...base("user"),
        candidates: matches.map(userView),
        verdict: Verdict.SEVERAL_USERS,
        summary: `${matches.length.toLocaleString("en-US")} users match ${query}: ${names.join(", ")}. Choose one.`,
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
    /** What the refusals since `from` say: the app still sending an ended token. */
    const refusedSince = (from: Date) => {
      const after = refusals.filter((refusal) => refusal.at >= from);
      if (after.length === 0) return "";
      return ` The application still sends an ended token: ${after.length === refusals.length && after.length >= TIMELINE ? "at least " : ""}${after.length.toLocaleString("en-US")} ${after.length === 1 ? "request was" : "requests were"} refused since, the last at ${formatTime(after[0]!.at)}; it should send ${name} to sign in.`;
    };

    if (user.disabledAt) {
      const disabled = events.find((event) => event.type === "user.disabled");
      return {
        ...found,
        verdict: Verdict.USER_DISABLED,
        summary: `Every request since ${formatTime(user.disabledAt)} is refused because ${name} was disabled${disabled ? ` by ${disabled.actorLabel ?? disabled.actorType}` : ""}${user.disabledReason ? ` (${user.disabledReason})` : ""}: all sessions were ended and new ones are refused.`,
        meaning: `${name} is disabled: no sign-in works until an admin enables them again.${refusedSince(user.disabledAt)}`,
        evidence: { ...evidence, disabledAt: user.disabledAt.toISOString(), disabledReason: user.disabledReason },
      };
    }
    if (sessions.length === 0) {
      return {
        ...found,
        verdict: Verdict.NO_SESSIONS,
        summary: `${name} has no sessions: none was started, or all were swept.`,
        meaning: `${name} is not disabled: a new sign-in works.${refusals[0] ? refusedSince(refusals.at(-1)!.at) : ""}`,
        evidence,
      };
    }
    const active = sessions.filter((session) => session.status === "active");
    const { latest, earlier } = await lastTrouble(user, sessions, events, now);
    const before = earlier[0] ? ` Before that: ${earlier[0].summary.charAt(0).toLowerCase()}${earlier[0].summary.slice(1)}` : "";
    if (active.length > 0) {
      const lastSeen = formatTime(active.reduce((a, b) => (a.lastSeenAt > b.lastSeenAt ? a : b)).lastSeenAt);
      if (latest) {
        return {
          ...found,
          verdict: latest.verdict,
          summary: `${latest.summary} ${active.length === 1 ? "One other session is" : `${active.length.toLocaleString("en-US")} other sessions are`} active, last seen ${lastSeen}.${before}`,
          meaning: `${latest.meaning}${refusedSince(latest.at)}`,
          evidence: { ...evidence, ...latest.evidence, active: active.length },
        };
      }
      return {
        ...found,
        verdict: Verdict.ACTIVE,
        summary: `${name} has ${active.length.toLocaleString("en-US")} active ${active.length === 1 ? "session" : "sessions"}, last seen ${lastSeen}.`,
        meaning: refusals[0] ? `Requests with an ended token were refused lately, the last at ${formatTime(refusals[0].at)} (${refusals[0].reason.toLowerCase().replaceAll("_", " ")}).` : null,
        evidence: { ...evidence, active: active.length },
      };
    }
    // Nothing is live: every request since the last session ended is refused.
    const last = sessions.reduce((a, b) => (endOf(a) > endOf(b) ? a : b));
    const lastEnd = endOf(last);
    const cause = latest && Math.abs(latest.at.getTime() - lastEnd.getTime()) < MINUTE ? latest.cause : null;
    let why: string;
    if (cause) why = `${cause.charAt(0).toLowerCase()}${cause.slice(1)}`;
    else if (last.revokedAt && last.revokedReason !== "ROTATED") {
      const together = sessions.filter((s) => s.revokedBy === last.revokedBy && s.revokedReason === last.revokedReason);
      why = `${together.length === sessions.length ? "all sessions were" : "the last live session was"} revoked by ${describeActor(last.revokedBy)} (${reasonWords(last.revokedReason, last.revokeNote)}).`;
    } else if (last.status === "absolute-expired") why = "the last live session reached its absolute cap.";
    else why = "the last live session idled out.";
    const meaning = latest && cause ? latest.meaning : `${name} is not disabled: a new sign-in works.`;
    return {
      ...found,
      verdict: Verdict.ALL_SESSIONS_ENDED,
      summary: `Every request since ${formatTime(lastEnd)} is refused: ${why}${cause ? before : ""}`,
      meaning: `${meaning}${refusedSince(lastEnd)}`,
      evidence: {
        ...evidence,
        ...(cause ? latest?.evidence : {}),
        lastEndedAt: lastEnd.toISOString(),
        lastSessionId: last.id,
        revokedBy: last.revokedBy,
        revokedReason: last.revokedReason,
      },
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
