"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { consoleAction, type ActionState } from "@/lib/auth/action";
import { parseDurationSeconds } from "@/lib/duration";
import { startPolicyApplication } from "@/lib/server/bulk-jobs";
import { getLatchkey } from "@/lib/server/latchkey";
import type { PolicyImpact } from "@/lib/sessions/repository";
import { SESSION_LIMIT_ACTIONS } from "@/lib/sessions/policy";
import { applicationIdSchema, applicationNameSchema, type PolicyChangeInput } from "@/lib/sessions/schemas";

// Applications and their policies: ADMIN only; changing what keys and sessions may do needs a recent sign-in.
const ADMIN_ONLY = { roles: ["ADMIN"] as const, recentAuth: true };

export const createApplicationAction = consoleAction(
  { ...ADMIN_ONLY, schema: z.object({ name: applicationNameSchema }).strict() },
  async ({ name }, session): Promise<ActionState<{ id: string }>> => {
    const app = await getLatchkey().engine.createApplication({ name }, session.actor);
    revalidatePath("/applications");
    return { ok: true, message: `Created ${app.name}.`, data: { id: app.id } };
  },
);

export const renameApplicationAction = consoleAction(
  { ...ADMIN_ONLY, schema: z.object({ id: applicationIdSchema, name: applicationNameSchema }).strict() },
  async ({ id, name }, session) => {
    const app = await getLatchkey().engine.renameApplication(id, name, session.actor);
    revalidatePath(`/applications/${encodeURIComponent(id)}`);
    return { ok: true, message: `Renamed to ${app.name}.` };
  },
);

export const setApplicationDisabledAction = consoleAction(
  { ...ADMIN_ONLY, schema: z.object({ id: applicationIdSchema, disabled: z.enum(["yes", "no"]) }).strict() },
  async ({ id, disabled }, session) => {
    const app = await getLatchkey().engine.setApplicationDisabled(id, disabled === "yes", session.actor);
    revalidatePath(`/applications/${encodeURIComponent(id)}`);
    return { ok: true, message: app.disabledAt ? `${app.name} is disabled: its API keys and sessions are refused.` : `${app.name} is enabled again.` };
  },
);

const duration = (label: string) =>
  z.string().transform((text, context) => {
    const seconds = parseDurationSeconds(text);
    if (seconds === null) {
      context.addIssue({ code: "custom", message: `${label} is not a duration (examples: 90s, 30m, 12h, 30d)` });
      return z.NEVER;
    }
    return seconds;
  });

/** The policy form: durations as text ("30m"), the limit blank for none. */
const policyForm = z
  .object({
    id: applicationIdSchema,
    mode: z.enum(["preview", "apply"]),
    idleTimeout: duration("the idle timeout"),
    absoluteTimeout: duration("the absolute cap"),
    touchInterval: duration("the touch interval"),
    rotationGrace: duration("the rotation grace"),
    allowGuests: z.literal("on").optional(),
    sessionLimit: z
      .string()
      .trim()
      .transform((text, context) => {
        if (text === "") return null;
        const value = Number(text);
        if (!Number.isInteger(value) || value < 1) {
          context.addIssue({ code: "custom", message: "must be a whole number of at least 1, or empty for no limit" });
          return z.NEVER;
        }
        return value;
      }),
    sessionLimitAction: z.enum(SESSION_LIMIT_ACTIONS),
  })
  .strict();

export interface PolicyOutcome {
  mode: "preview" | "apply";
  impact: PolicyImpact;
  /** Applying: the job that rewrites existing sessions, and how many live sessions it looks at. */
  jobId?: string;
  live?: number;
}

/**
 * Previews a policy change (what it would end, read-only) or, confirmed, applies it: saved and in
 * force at once, then existing sessions rewritten in the background with progress.
 */
export const policyAction = consoleAction(
  { ...ADMIN_ONLY, schema: policyForm },
  async (form, session): Promise<ActionState<PolicyOutcome>> => {
    const { engine } = getLatchkey();
    const change: PolicyChangeInput = {
      idleTimeoutSeconds: form.idleTimeout,
      absoluteTimeoutSeconds: form.absoluteTimeout,
      touchIntervalSeconds: form.touchInterval,
      rotationGraceSeconds: form.rotationGrace,
      allowGuests: form.allowGuests === "on",
      sessionLimit: form.sessionLimit,
      sessionLimitAction: form.sessionLimitAction,
    };
    if (form.mode === "preview") {
      const preview = await engine.previewPolicy(form.id, change);
      return { ok: true, data: { mode: "preview", impact: preview.impact } };
    }
    const app = await engine.getApplication(form.id);
    const live = (await engine.listApplications()).value.find((item) => item.id === form.id)?.liveSessions ?? 0;
    const changed = await engine.changePolicy(form.id, change, session.actor);
    const job = startPolicyApplication(form.id, app?.name ?? form.id, changed.changeId, session.actor);
    revalidatePath(`/applications/${encodeURIComponent(form.id)}`);
    return { ok: true, message: "Policy saved: it applies to every session from now on.", data: { mode: "apply", impact: changed.impact, jobId: job.id, live } };
  },
);
