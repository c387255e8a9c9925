import { assertMayActOn, concreteApp, event, toSessionView, type EngineContext } from "./context";
import { ErrorCode, SessionError } from "./errors";
import { CONSOLE_APP_ID, type AppScope } from "./policy";
import { deviceLabelSchema, identifierSchema, parseInput, sessionIdSchema } from "./schemas";
import { SYSTEM_ACTOR, type Actor, type SessionView } from "./types";

/** The session after an update, or SESSION_NOT_FOUND when the update matched nothing. */
async function viewAfterUpdate(ctx: EngineContext, scope: AppScope, sessionId: string, updated: boolean): Promise<SessionView> {
  const record = updated ? await ctx.repository.findSession(scope, sessionId) : null;
  if (!record) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId });
  return toSessionView(record, ctx.clock.now());
}

/**
 * The application of the session an edit is about, within `scope`, once the actor may change it.
 * Only the console's sessions have owners with roles, so only they (and edits across every
 * application) are read first; within an application the update itself finds the session, and
 * `ownerUserId` there keeps another user's session reported exactly like an unknown one.
 */
async function editableApp(ctx: EngineContext, scope: AppScope, sessionId: string, actor: Actor, ownerUserId?: string): Promise<string> {
  if (typeof scope === "string" && scope !== CONSOLE_APP_ID) return scope;
  const found = await ctx.repository.findSession(scope, sessionId);
  if (!found || (ownerUserId !== undefined && found.userId !== ownerUserId)) {
    throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such session.", { sessionId });
  }
  await assertMayActOn(ctx, actor, found.appId, found.userId);
  return found.appId;
}

/** Names a device; with `ownerUserId`, only on that user's own session. */
export async function setDeviceLabel(
  ctx: EngineContext,
  scope: AppScope,
  sessionId: string,
  label: string | null,
  actor: Actor = SYSTEM_ACTOR,
  options: { ownerUserId?: string } = {},
): Promise<SessionView> {
  const id = parseInput(sessionIdSchema, sessionId);
  const deviceLabel = label === null ? null : parseInput(deviceLabelSchema, label);
  const appId = await editableApp(ctx, scope, id, actor, options.ownerUserId);
  const updated = await ctx.repository.updateSession(
    appId,
    id,
    { deviceLabel },
    event(ctx, appId, "session.label_changed", actor, { sessionId: id, details: { deviceLabel } }),
    options,
  );
  return viewAfterUpdate(ctx, appId, id, updated);
}

/** Moves a session to another tenant, in place. */
export async function setTenant(ctx: EngineContext, scope: AppScope, sessionId: string, tenantId: string | null, actor: Actor = SYSTEM_ACTOR): Promise<SessionView> {
  const id = parseInput(sessionIdSchema, sessionId);
  const tenant = tenantId === null ? null : parseInput(identifierSchema, tenantId);
  const appId = await editableApp(ctx, scope, id, actor);
  const updated = await ctx.repository.updateSession(appId, id, { tenantId: tenant }, event(ctx, appId, "session.tenant_changed", actor, { sessionId: id, details: { tenantId: tenant } }));
  return viewAfterUpdate(ctx, appId, id, updated);
}

/**
 * Records that the person behind a live session just proved who they are again (re-entered
 * their password), for actions that need a recent sign-in.
 */
export async function confirmAuthentication(ctx: EngineContext, scope: AppScope, sessionId: string, actor: Actor = SYSTEM_ACTOR): Promise<SessionView> {
  const appId = concreteApp(scope);
  const id = parseInput(sessionIdSchema, sessionId);
  const now = ctx.clock.now();
  const confirmed = await ctx.repository.confirmAuthentication(appId, id, now, event(ctx, appId, "session.reauthenticated", actor, { sessionId: id }));
  if (!confirmed) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such live session.", { sessionId: id });
  return viewAfterUpdate(ctx, appId, id, true);
}
