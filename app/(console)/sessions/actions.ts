"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { consoleAction } from "@/lib/auth/action";
import { getLatchkey } from "@/lib/server/latchkey";
import { deviceLabelSchema, identifierSchema, sessionIdSchema } from "@/lib/sessions/schemas";
import { MANUAL_REVOKE_REASONS } from "@/lib/sessions/types";

const OPERATORS = ["ADMIN", "SUPPORT"] as const;
const reasonNote = z.string().trim().min(1, "say why (a reason or ticket)").max(500, "must be at most 500 characters");

export const bulkRevokeAction = consoleAction(
  { roles: OPERATORS, schema: z.object({ ids: z.array(sessionIdSchema).min(1, "select at least one session").max(500), note: reasonNote }).strict() },
  async ({ ids, note }, session) => {
    let revoked = 0;
    for (const id of new Set(ids)) {
      if (await getLatchkey().engine.revokeSession(id, { reason: "REVOKED", note }, session.actor)) revoked += 1;
    }
    revalidatePath("/sessions");
    return { ok: true, message: `Revoked ${revoked} ${revoked === 1 ? "session" : "sessions"}.` };
  },
);

export const revokeSessionAction = consoleAction(
  { roles: OPERATORS, schema: z.object({ sessionId: sessionIdSchema, reason: z.enum(MANUAL_REVOKE_REASONS).default("REVOKED"), note: reasonNote }).strict() },
  async ({ sessionId, reason, note }, session) => {
    const revoked = await getLatchkey().engine.revokeSession(sessionId, { reason, note }, session.actor);
    revalidatePath(`/sessions/${sessionId}`);
    return revoked ? { ok: true, message: "Session revoked." } : { ok: false, error: "This session had already ended." };
  },
);

export const relabelSessionAction = consoleAction(
  { roles: OPERATORS, schema: z.object({ sessionId: sessionIdSchema, label: deviceLabelSchema }).strict() },
  async ({ sessionId, label }, session) => {
    await getLatchkey().engine.setDeviceLabel(sessionId, label, session.actor);
    revalidatePath(`/sessions/${sessionId}`);
    return { ok: true, message: "Device renamed." };
  },
);

export const switchTenantAction = consoleAction(
  { roles: ["ADMIN"], schema: z.object({ sessionId: sessionIdSchema, tenantId: identifierSchema }).strict() },
  async ({ sessionId, tenantId }, session) => {
    await getLatchkey().engine.setTenant(sessionId, tenantId, session.actor);
    revalidatePath(`/sessions/${sessionId}`);
    return { ok: true, message: `Moved to tenant ${tenantId}.` };
  },
);
