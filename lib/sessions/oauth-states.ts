import { SECOND, concreteApp, event, liveApplicationOf, parseJson, type EngineContext } from "./context";
import { ErrorCode, SessionError } from "./errors";
import type { AppScope } from "./policy";
import { issueOAuthStateSchema, parseInput, type IssueOAuthStateInput } from "./schemas";
import { issueToken, parseToken, secretMatches } from "./tokens";
import { SYSTEM_ACTOR, type Actor } from "./types";

/** A short-lived, single-use OAuth state token carrying optional data. */
export async function issueOAuthState(
  ctx: EngineContext,
  scope: AppScope,
  input: IssueOAuthStateInput = {},
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ state: string; expiresAt: Date }> {
  const appId = concreteApp(scope);
  const valid = parseInput(issueOAuthStateSchema, input);
  await liveApplicationOf(ctx, appId);
  const now = ctx.clock.now();
  const issued = issueToken("oauthState");
  const expiresAt = new Date(now.getTime() + (valid.ttlSeconds ?? ctx.config.oauthStateTtlSeconds) * SECOND);
  await ctx.repository.insertOAuthState(
    { id: issued.id, appId, secretHash: issued.secretHash, data: valid.data ? JSON.stringify(valid.data) : null, createdAt: now, expiresAt, consumedAt: null },
    event(ctx, appId, "oauth_state.issued", actor, { details: { stateId: issued.id, expiresAt: expiresAt.toISOString() } }),
  );
  return { state: issued.token, expiresAt };
}

/**
 * Consumes an OAuth state of the application: its data, exactly once; unknown, expired, used
 * or another application's states throw STATE_INVALID.
 */
export async function consumeOAuthState(ctx: EngineContext, scope: AppScope, state: unknown, actor: Actor = SYSTEM_ACTOR): Promise<Record<string, unknown> | null> {
  const appId = concreteApp(scope);
  const invalid = () => new SessionError(ErrorCode.STATE_INVALID, "The OAuth state is unknown, expired or already used.");
  const parsed = parseToken("oauthState", state);
  if (!parsed) throw invalid();
  const record = await ctx.repository.findOAuthState(appId, parsed.id);
  if (!record || !secretMatches(parsed.secret, record.secretHash)) throw invalid();
  const now = ctx.clock.now();
  const consumed = await ctx.repository.consumeOAuthState(appId, record.id, now, event(ctx, appId, "oauth_state.consumed", actor, { details: { stateId: record.id } }));
  if (!consumed) throw invalid();
  return parseJson<Record<string, unknown> | null>(record.data, null);
}
