import { applicationOf, event, revocation, type EngineContext } from "./context";
import { ErrorCode, SessionError } from "./errors";
import type { Figures } from "./figures";
import { CONSOLE_APP_ID, POLICY_FIELDS, policyOf, type ApplicationRecord, type SessionPolicy } from "./policy";
import type { PolicyImpact } from "./repository";
import {
  applicationIdSchema,
  applicationNameSchema,
  createApplicationSchema,
  parseInput,
  policyChangeSchema,
  type CreateApplicationInput,
  type PolicyChangeInput,
} from "./schemas";
import { generateId } from "./tokens";
import { SYSTEM_ACTOR, type Actor } from "./types";

/** An application as operators see it: its policy (the environment's while unset) and its live sessions. */
export interface ApplicationView extends ApplicationRecord {
  liveSessions: number;
}

/** What a policy change would do, before it is saved. */
export interface PolicyPreview {
  current: SessionPolicy;
  proposed: SessionPolicy;
  impact: PolicyImpact;
}

/** What applying a policy to an application's existing sessions did. */
export interface PolicyApplication {
  /** Sessions ended because a timeout got shorter than their age or idleness. */
  endedByTimeout: number;
  /** Sessions ended because their user held more than the new limit. */
  endedByLimit: number;
  /** Live sessions looked at. */
  scanned: number;
}

/** Users per transaction when a session limit is applied (sessions go by the environment's bulk batch size). */
const LIMIT_USER_BATCH = 500;

function invalid(issues: { field: string; message: string }[]): SessionError {
  return new SessionError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ")}.`, { issues });
}

/** The policy with a change merged in, checked as a whole. */
function mergePolicy(current: SessionPolicy, change: PolicyChangeInput): SessionPolicy {
  const valid = parseInput(policyChangeSchema, change);
  const merged: SessionPolicy = { ...current };
  for (const field of POLICY_FIELDS) {
    if (valid[field] !== undefined) (merged as unknown as Record<string, unknown>)[field] = valid[field];
  }
  const issues: { field: string; message: string }[] = [];
  if (merged.idleTimeoutSeconds > merged.absoluteTimeoutSeconds) {
    issues.push({ field: "idleTimeoutSeconds", message: `must not exceed the absolute cap (${merged.absoluteTimeoutSeconds} s)` });
  }
  if (merged.touchIntervalSeconds >= merged.idleTimeoutSeconds) {
    issues.push({ field: "touchIntervalSeconds", message: `must be shorter than the idle timeout (${merged.idleTimeoutSeconds} s)` });
  }
  if (issues.length > 0) throw invalid(issues);
  return merged;
}

/** An application that operators may change: not the console, whose policy is the environment's. */
async function changeableApplication(ctx: EngineContext, id: string): Promise<{ app: ApplicationRecord; policy: SessionPolicy }> {
  const appId = parseInput(applicationIdSchema, id);
  if (appId === CONSOLE_APP_ID) {
    throw new SessionError(ErrorCode.FORBIDDEN, "The console is not an application: its policy comes from the environment (LATCHKEY_IDLE_TIMEOUT and the others).");
  }
  return applicationOf(ctx, appId);
}

function nameTaken(name: string): SessionError {
  return new SessionError(ErrorCode.APP_NAME_TAKEN, `An application named ${name} exists already; choose another name.`, { name });
}

function checkName(name: string): string {
  const valid = parseInput(applicationNameSchema, name);
  if (valid.toLowerCase() === CONSOLE_APP_ID) throw nameTaken(valid);
  return valid;
}

/**
 * Every application but the console, by name, with its live sessions. The applications are read
 * as they are; the counts are a pass over every live session, so shared (see figures.ts): live
 * while cheap, otherwise as of `asOf`, refreshed each minute.
 */
export async function listApplications(ctx: EngineContext): Promise<Figures<ApplicationView[]>> {
  const [apps, live] = await Promise.all([
    ctx.repository.listApplications(),
    ctx.figures.get("live-sessions-by-application", () => ctx.repository.countLiveSessionsByApplication(ctx.clock.now())),
  ]);
  const items = apps
    .filter((app) => app.id !== CONSOLE_APP_ID)
    .map((app) => ({ ...app, ...policyOf(app, ctx.defaultPolicy), liveSessions: live.value.get(app.id) ?? 0 }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { value: items, asOf: live.asOf, live: live.live };
}

/** The applications' ids, names and whether they are disabled (not the console's), by name: for choosers and labels. */
export async function listApplicationNames(ctx: EngineContext): Promise<{ id: string; name: string; disabledAt: Date | null }[]> {
  return (await ctx.repository.listApplications())
    .filter((app) => app.id !== CONSOLE_APP_ID)
    .map((app) => ({ id: app.id, name: app.name, disabledAt: app.disabledAt }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One application (the console included), with its policy in force; null when there is none. */
export async function getApplication(ctx: EngineContext, id: string): Promise<ApplicationRecord | null> {
  const valid = applicationIdSchema.safeParse(id);
  if (!valid.success) return null;
  const app = await ctx.repository.findApplication(valid.data);
  return app ? { ...app, ...policyOf(app, ctx.defaultPolicy) } : null;
}

/**
 * An application other than the console's own, by id or name: what an operator's page, form or
 * admin call about an application may reach (the console's accounts and sign-ins are managed
 * elsewhere, and never as an application). Null when there is none.
 */
export async function findClientApplication(ctx: EngineContext, idOrName: string): Promise<ApplicationRecord | null> {
  const found = await findApplication(ctx, idOrName);
  return found && found.id !== CONSOLE_APP_ID ? found : null;
}

/** An application by id or, failing that, by name (the command line's --app). */
export async function findApplication(ctx: EngineContext, idOrName: string): Promise<ApplicationRecord | null> {
  const byId = await getApplication(ctx, idOrName);
  if (byId) return byId;
  const all = await ctx.repository.listApplications();
  const byName = all.find((app) => app.name === idOrName.trim());
  return byName ? { ...byName, ...policyOf(byName, ctx.defaultPolicy) } : null;
}

/** Creates an application with the environment's policy, changed by `policy` where given. */
export async function createApplication(ctx: EngineContext, input: CreateApplicationInput, actor: Actor = SYSTEM_ACTOR): Promise<ApplicationRecord> {
  const valid = parseInput(createApplicationSchema, input);
  const name = checkName(valid.name);
  const policy = mergePolicy(ctx.defaultPolicy, valid.policy ?? {});
  const now = ctx.clock.now();
  const app: ApplicationRecord = { id: `app_${generateId()}`, name, createdAt: now, updatedAt: now, disabledAt: null, ...policy };
  try {
    await ctx.repository.insertApplication(app, event(ctx, app.id, "application.created", actor, { details: { name, policy } }));
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw nameTaken(name);
    throw error;
  }
  return app;
}

export async function renameApplication(ctx: EngineContext, id: string, name: string, actor: Actor = SYSTEM_ACTOR): Promise<ApplicationRecord> {
  const { app } = await changeableApplication(ctx, id);
  const valid = checkName(name);
  try {
    await ctx.repository.updateApplication(app.id, { name: valid }, event(ctx, app.id, "application.renamed", actor, { details: { from: app.name, to: valid } }));
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw nameTaken(valid);
    throw error;
  }
  ctx.applications.forget(app.id);
  return (await getApplication(ctx, app.id)) as ApplicationRecord;
}

/**
 * Disables or enables an application. While disabled, its API keys are refused, its sessions
 * resolve as APP_DISABLED, and none can start.
 */
export async function setApplicationDisabled(ctx: EngineContext, id: string, disabled: boolean, actor: Actor = SYSTEM_ACTOR): Promise<ApplicationRecord> {
  const { app } = await changeableApplication(ctx, id);
  const now = ctx.clock.now();
  await ctx.repository.updateApplication(
    app.id,
    { disabledAt: disabled ? now : null },
    event(ctx, app.id, disabled ? "application.disabled" : "application.enabled", actor, { details: { name: app.name } }),
  );
  ctx.applications.forget(app.id);
  return (await getApplication(ctx, app.id)) as ApplicationRecord;
}

/** What a policy change would end at once among the application's live sessions. Reads only. */
export async function previewPolicy(ctx: EngineContext, id: string, change: PolicyChangeInput): Promise<PolicyPreview> {
  const { app, policy } = await changeableApplication(ctx, id);
  const proposed = mergePolicy(policy, change);
  const impact = await ctx.repository.previewPolicy(app.id, proposed, ctx.clock.now());
  return { current: policy, proposed, impact };
}

/**
 * Saves a policy change, with its impact (as previewed now) in the audit log. It takes effect at
 * once for every resolve; applyPolicyToSessions then rewrites the stored expiries and ends what
 * it ends, with an event in each ended session's timeline.
 */
export async function changePolicy(
  ctx: EngineContext,
  id: string,
  change: PolicyChangeInput,
  actor: Actor = SYSTEM_ACTOR,
): Promise<PolicyPreview & { changeId: string }> {
  const preview = await previewPolicy(ctx, id, change);
  const appId = parseInput(applicationIdSchema, id);
  const changeId = generateId();
  const changed = Object.fromEntries(POLICY_FIELDS.filter((field) => preview.current[field] !== preview.proposed[field]).map((field) => [field, { from: preview.current[field], to: preview.proposed[field] }]));
  await ctx.repository.updateApplication(
    appId,
    preview.proposed,
    event(ctx, appId, "application.policy_changed", actor, { details: { changeId, changed, impact: preview.impact } }),
  );
  ctx.applications.forget(appId);
  return { ...preview, changeId };
}

/**
 * Applies the application's policy to its existing sessions, in batches: expiries are shortened
 * to the policy (never lengthened), and users above the session limit lose their sessions above
 * it. Each session it ends gets an event naming the change.
 */
export async function applyPolicyToSessions(
  ctx: EngineContext,
  id: string,
  changeId: string,
  actor: Actor = SYSTEM_ACTOR,
  options: { onBatch?: (progress: PolicyApplication) => void } = {},
): Promise<PolicyApplication> {
  const { app, policy } = await changeableApplication(ctx, id);
  const now = ctx.clock.now();
  const progress: PolicyApplication = { endedByTimeout: 0, endedByLimit: 0, scanned: 0 };
  const ended = event(ctx, app.id, "session.ended_by_policy", actor, { details: { changeId } });
  let afterId: string | null = null;
  for (;;) {
    const batch = await ctx.repository.shortenToPolicy(app.id, policy, now, afterId, ctx.config.sweepBatchSize, ended);
    progress.scanned += batch.scanned;
    progress.endedByTimeout += batch.ended;
    options.onBatch?.({ ...progress });
    if (batch.lastId === null || batch.scanned < ctx.config.sweepBatchSize) break;
    afterId = batch.lastId;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (policy.sessionLimit !== null) {
    const limited = revocation("SESSION_LIMIT", actor, `ended when the limit was set to ${policy.sessionLimit} live sessions per user`, now);
    let afterUserId: string | null = null;
    for (;;) {
      const batch = await ctx.repository.endSessionsOverLimit(
        app.id,
        policy.sessionLimit,
        policy.sessionLimitAction,
        now,
        afterUserId,
        LIMIT_USER_BATCH,
        limited,
        event(ctx, app.id, "session.revoked", actor, { details: { reason: "SESSION_LIMIT", changeId } }),
      );
      progress.endedByLimit += batch.ended.length;
      options.onBatch?.({ ...progress });
      if (batch.lastUserId === null) break;
      afterUserId = batch.lastUserId;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return progress;
}
