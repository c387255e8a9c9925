import type { PolicyApplication, RevokeByFilterResult } from "../sessions/engine";
import type { AppScope } from "../sessions/policy";
import type { RevokeByFilterInput } from "../sessions/schemas";
import type { Actor } from "../sessions/types";
import { startJob, type Job } from "./jobs";
import { getLatchkey } from "./latchkey";

export type PolicyJob = Job<PolicyApplication, PolicyApplication>;
export type RevocationJob = Job<{ matched: number; revoked: number }, RevokeByFilterResult>;

/** Rewrites an application's existing sessions to its new policy, in the background. */
export function startPolicyApplication(appId: string, appName: string, changeId: string, actor: Actor): PolicyJob {
  const { engine } = getLatchkey();
  return startJob("apply-policy", `Apply the new policy of ${appName} to its sessions`, actor, { endedByTimeout: 0, endedByLimit: 0, scanned: 0 }, (report) =>
    engine.applyPolicyToSessions(appId, changeId, actor, { onBatch: report }),
  );
}

/** Revokes every live session matching a filter, in the background, in batches. */
export function startRevocationByFilter(scope: AppScope, input: RevokeByFilterInput, matched: number, actor: Actor): RevocationJob {
  const { engine } = getLatchkey();
  return startJob("revoke-by-filter", `Revoke ${matched.toLocaleString("en-US")} matching sessions`, actor, { matched, revoked: 0 }, (report) =>
    engine.app(scope).revokeMatchingSessions({ ...input, dryRun: false }, actor, { onBatch: report }),
  );
}
