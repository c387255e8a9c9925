import * as applications from "./applications";
import { SECOND, engineContext, type EngineContext, type SessionEngineDeps } from "./context";
import * as create from "./create";
import { diagnose } from "./diagnose";
import * as edit from "./edit";
import * as oauthStates from "./oauth-states";
import type { AppScope } from "./policy";
import * as read from "./read";
import type { RefusalOperation, RequestContext } from "./refusal-log";
import * as resolve from "./resolve";
import * as revoke from "./revoke";
import * as rotate from "./rotate";
import type {
  CreateApplicationInput,
  CreateGuestSessionInput,
  CreateServiceSessionInput,
  CreateSessionInput,
  DiagnoseInput,
  IssueOAuthStateInput,
  AuditFilterInput,
  ListSessionsInput,
  PolicyChangeInput,
  RevokeByFilterInput,
  RevokeInput,
  SweepInput,
} from "./schemas";
import * as sweep from "./sweep";
import type { Actor, SweepCounts } from "./types";

export type { SessionEngineDeps } from "./context";
export type { IssuedSession } from "./create";
export type { AuthContext, Refusal, ResolveResult } from "./resolve";
export type { SessionPage } from "./read";
export type { SweepResult } from "./sweep";
export type { RevokeByFilterResult } from "./revoke";
export type { ApplicationView, PolicyApplication, PolicyPreview } from "./applications";
export { toSessionView, toUserView } from "./context";

/**
 * The verbs of the engine within one application (or, for operators, ALL_APPS): every read and
 * write below reaches that scope only. Each verb lives in the module of its concept (create,
 * resolve, rotate, revoke, edit, read, sweep, oauth-states); this binds them to one scope.
 */
function appEngine(ctx: EngineContext, scope: AppScope) {
  return {
    scope,
    config: ctx.config,
    createSession: (input: CreateSessionInput, actor?: Actor) => create.createSession(ctx, scope, input, actor),
    createGuestSession: (input?: CreateGuestSessionInput, actor?: Actor) => create.createGuestSession(ctx, scope, input, actor),
    createServiceSession: (input: CreateServiceSessionInput, actor?: Actor) => create.createServiceSession(ctx, scope, input, actor),
    resolveSession: (token: unknown, request?: RequestContext, operation?: RefusalOperation) => resolve.resolveSession(ctx, scope, token, request, operation),
    validateSession: (token: unknown, request?: RequestContext, operation?: RefusalOperation) => resolve.validateSession(ctx, scope, token, request, operation),
    refreshSession: (token: unknown, request?: RequestContext) => resolve.refreshSession(ctx, scope, token, request),
    rotateSession: (token: unknown, actor?: Actor, request?: RequestContext) => rotate.rotateSession(ctx, scope, token, actor, request),
    reissueSession: (sessionId: string, actor?: Actor) => rotate.reissueSession(ctx, scope, sessionId, actor),
    upgradeGuestSession: (token: unknown, userId: string, actor?: Actor, request?: RequestContext) =>
      rotate.upgradeGuestSession(ctx, scope, token, userId, actor, request),
    revokeSession: (sessionId: string, input?: RevokeInput, actor?: Actor, options?: { ownerUserId?: string }) =>
      revoke.revokeSession(ctx, scope, sessionId, input, actor, options),
    revokeUserSessions: (userId: string, input?: RevokeInput, actor?: Actor, options?: { exceptSessionId?: string }) =>
      revoke.revokeUserSessions(ctx, scope, userId, input, actor, options),
    revokeMatchingSessions: (input: RevokeByFilterInput, actor?: Actor, options?: { onBatch?: (progress: { matched: number; revoked: number }) => void }) =>
      revoke.revokeMatchingSessions(ctx, scope, input, actor, options),
    disableUser: (userId: string, reason: string | null, actor?: Actor) => revoke.disableUser(ctx, scope, userId, reason, actor),
    enableUser: (userId: string, actor?: Actor) => revoke.enableUser(ctx, scope, userId, actor),
    setDeviceLabel: (sessionId: string, label: string | null, actor?: Actor, options?: { ownerUserId?: string }) =>
      edit.setDeviceLabel(ctx, scope, sessionId, label, actor, options),
    setTenant: (sessionId: string, tenantId: string | null, actor?: Actor) => edit.setTenant(ctx, scope, sessionId, tenantId, actor),
    confirmAuthentication: (sessionId: string, actor?: Actor) => edit.confirmAuthentication(ctx, scope, sessionId, actor),
    getSessionOrThrow: (sessionId: string) => read.getSessionOrThrow(ctx, scope, sessionId),
    getSession: (sessionId: string) => read.getSession(ctx, scope, sessionId),
    getSweptSession: (sessionId: string) => read.getSweptSession(ctx, scope, sessionId),
    listSessions: (input?: ListSessionsInput) => read.listSessions(ctx, scope, input),
    countSessions: (input?: ListSessionsInput, cap?: number) => read.countSessions(ctx, scope, input, cap),
    listUserSessions: (userId: string) => read.listUserSessions(ctx, scope, userId),
    findUsers: (query: string) => read.findUsers(ctx, scope, query),
    listEvents: (input?: AuditFilterInput) => read.listEvents(ctx, scope, input),
    getStatistics: () => read.getStatistics(ctx, scope),
    diagnose: (input: DiagnoseInput) => diagnose(ctx, scope, input),
    sweepSessions: (input?: SweepInput, actor?: Actor, options?: { onBatch?: (sweptSoFar: SweepCounts) => void }) =>
      sweep.sweepSessions(ctx, scope, input, actor, options),
    retainedSessions: () => sweep.retained(ctx, scope),
    sweepPreview: () => sweep.sweepPreview(ctx, scope),
    issueOAuthState: (input?: IssueOAuthStateInput, actor?: Actor) => oauthStates.issueOAuthState(ctx, scope, input, actor),
    consumeOAuthState: (state: unknown, actor?: Actor) => oauthStates.consumeOAuthState(ctx, scope, state, actor),
  };
}

export type AppEngine = ReturnType<typeof appEngine>;

/**
 * The session engine: the verbs of one application (`app(id)`), of all of them for operators
 * (`app(ALL_APPS)`), the applications themselves, and leases. Framework-free; route handlers,
 * server actions, scripts and tests all call it.
 */
export function createSessionEngine(deps: SessionEngineDeps) {
  const ctx = engineContext(deps);
  // One bound engine per application, made once: resolve asks for one on every request.
  const bound = new Map<AppScope, AppEngine>();
  return {
    context: ctx,
    config: deps.config,
    app(scope: AppScope): AppEngine {
      let engine = bound.get(scope);
      if (!engine) {
        if (bound.size >= 10_000) bound.clear();
        engine = appEngine(ctx, scope);
        bound.set(scope, engine);
      }
      return engine;
    },

    listApplications: () => applications.listApplications(ctx),
    listApplicationNames: () => applications.listApplicationNames(ctx),
    getApplication: (id: string) => applications.getApplication(ctx, id),
    findApplication: (idOrName: string) => applications.findApplication(ctx, idOrName),
    findClientApplication: (idOrName: string) => applications.findClientApplication(ctx, idOrName),
    createApplication: (input: CreateApplicationInput, actor?: Actor) => applications.createApplication(ctx, input, actor),
    renameApplication: (id: string, name: string, actor?: Actor) => applications.renameApplication(ctx, id, name, actor),
    setApplicationDisabled: (id: string, disabled: boolean, actor?: Actor) => applications.setApplicationDisabled(ctx, id, disabled, actor),
    previewPolicy: (id: string, change: PolicyChangeInput) => applications.previewPolicy(ctx, id, change),
    changePolicy: (id: string, change: PolicyChangeInput, actor?: Actor) => applications.changePolicy(ctx, id, change, actor),
    applyPolicyToSessions: (id: string, changeId: string, actor?: Actor, options?: { onBatch?: (progress: applications.PolicyApplication) => void }) =>
      applications.applyPolicyToSessions(ctx, id, changeId, actor, options),

    /** See SessionRepository.acquireLease; the clock is the engine's. */
    async acquireLease(name: string, holder: string, ttlSeconds: number): Promise<boolean> {
      const now = ctx.clock.now();
      return ctx.repository.acquireLease(name, holder, now, new Date(now.getTime() + ttlSeconds * SECOND));
    },
    releaseLease: (name: string, holder: string) => ctx.repository.releaseLease(name, holder),
  };
}

export type SessionEngine = ReturnType<typeof createSessionEngine>;
