"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { consoleAction, type ActionState } from "@/lib/auth/action";
import { applicationChoices, scopeOfFilter } from "@/lib/console/apps";
import { parseSessionQuery } from "@/lib/console/session-query";
import { startRevocationByFilter } from "@/lib/server/bulk-jobs";
import { getLatchkey } from "@/lib/server/latchkey";
import { ErrorCode, isSessionError } from "@/lib/sessions/errors";
import type { RevokeByFilterInput } from "@/lib/sessions/schemas";
import { deviceLabelSchema, identifierSchema, sessionIdSchema } from "@/lib/sessions/schemas";
import { MANUAL_REVOKE_REASONS } from "@/lib/sessions/types";

const OPERATORS = ["ADMIN", "SUPPORT"] as const;
const reasonNote = z.string().trim().min(1, "say why (a reason or ticket)").max(500, "must be at most 500 characters");

export const bulkRevokeAction = consoleAction(
  {
    roles: OPERATORS,
    schema: z
      .object({ ids: z.array(sessionIdSchema).min(1, "select at least one session").max(500), reason: z.enum(MANUAL_REVOKE_REASONS).default("REVOKED"), note: reasonNote })
      .strict(),
  },
  async ({ ids, reason, note }, session) => {
    let revoked = 0;
    let refused = 0;
    for (const id of new Set(ids)) {
      try {
        if (await getLatchkey().operator.revokeSession(id, { reason, note }, session.actor)) revoked += 1;
      } catch (error) {
        // Sessions of an account with more power than the actor's stay; the others go on.
        if (!isSessionError(error) || error.code !== ErrorCode.FORBIDDEN) throw error;
        refused += 1;
      }
    }
    revalidatePath("/sessions");
    const done = `Revoked ${revoked.toLocaleString("en-US")} ${revoked === 1 ? "session" : "sessions"}.`;
    if (refused === 0) return { ok: true, message: done };
    return { ok: revoked > 0, message: done, error: `${done} ${refused.toLocaleString("en-US")} ${refused === 1 ? "belongs" : "belong"} to an account with more power than yours and ${refused === 1 ? "was" : "were"} left alone.` };
  },
);

export const revokeSessionAction = consoleAction(
  { roles: OPERATORS, schema: z.object({ sessionId: sessionIdSchema, reason: z.enum(MANUAL_REVOKE_REASONS).default("REVOKED"), note: reasonNote }).strict() },
  async ({ sessionId, reason, note }, session) => {
    const revoked = await getLatchkey().operator.revokeSession(sessionId, { reason, note }, session.actor);
    revalidatePath(`/sessions/${sessionId}`);
    return revoked ? { ok: true, message: "Session revoked." } : { ok: false, error: "This session had already ended." };
  },
);

export const relabelSessionAction = consoleAction(
  { roles: OPERATORS, schema: z.object({ sessionId: sessionIdSchema, label: deviceLabelSchema }).strict() },
  async ({ sessionId, label }, session) => {
    await getLatchkey().operator.setDeviceLabel(sessionId, label, session.actor);
    revalidatePath(`/sessions/${sessionId}`);
    return { ok: true, message: "Device renamed." };
  },
);

export const switchTenantAction = consoleAction(
  { roles: ["ADMIN"], schema: z.object({ sessionId: sessionIdSchema, tenantId: identifierSchema }).strict() },
  async ({ sessionId, tenantId }, session) => {
    await getLatchkey().operator.setTenant(sessionId, tenantId, session.actor);
    revalidatePath(`/sessions/${sessionId}`);
    return { ok: true, message: `Moved to tenant ${tenantId}.` };
  },
);

/** The sessions view's filters (its query string) as a revocation's scope and filter; an error when they select no live session. */
async function matchingFilter(query: string): Promise<{ scope: Awaited<ReturnType<typeof scopeOfFilter>>; filter: RevokeByFilterInput["filter"] } | { error: string }> {
  const { input, values, error } = parseSessionQuery(new URLSearchParams(query));
  if (error) return { error };
  const { status, sort: _sort, order: _order, limit: _limit, cursor: _cursor, ...filter } = input;
  if (status && status.length > 0 && !status.includes("active")) return { error: "Only live sessions can be revoked, and this filter selects none." };
  const scope = scopeOfFilter(values.app, await applicationChoices(getLatchkey()));
  return { scope, filter };
}

/** Counts the live sessions the current filter matches, before revoking them all. */
export const countMatchingAction = consoleAction(
  { roles: ["ADMIN"], schema: z.object({ query: z.string().max(4096) }).strict() },
  async ({ query }): Promise<ActionState<{ matched: number }>> => {
    const found = await matchingFilter(query);
    if ("error" in found) return { ok: false, error: found.error };
    const { matched } = await getLatchkey().engine.app(found.scope).revokeMatchingSessions({ filter: found.filter, dryRun: true });
    return { ok: true, data: { matched } };
  },
);

/** Revokes every live session the current filter matches, in the background, with a reason. */
export const revokeMatchingAction = consoleAction(
  {
    roles: ["ADMIN"],
    recentAuth: true,
    schema: z.object({ query: z.string().max(4096), reason: z.enum(MANUAL_REVOKE_REASONS).default("REVOKED"), note: reasonNote }).strict(),
  },
  async ({ query, reason, note }, session): Promise<ActionState<{ jobId: string; matched: number }>> => {
    const found = await matchingFilter(query);
    if ("error" in found) return { ok: false, error: found.error };
    const input = { filter: found.filter, reason, note };
    const { matched } = await getLatchkey().engine.app(found.scope).revokeMatchingSessions({ ...input, dryRun: true });
    if (matched === 0) return { ok: false, error: "No live session matches this filter any more." };
    const job = startRevocationByFilter(found.scope, input, matched, session.actor);
    return { ok: true, message: `Revoking ${matched.toLocaleString("en-US")} sessions.`, data: { jobId: job.id, matched } };
  },
);
