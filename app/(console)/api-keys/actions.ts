"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { consoleAction, type ActionState } from "@/lib/auth/action";
import { createApiKey, createApiKeySchema, revokeApiKey } from "@/lib/api/keys";
import { encodeServiceSession } from "@latchkey/client";
import { parseDurationSeconds } from "@/lib/duration";
import { getLatchkey } from "@/lib/server/latchkey";
import { CONSOLE_APP_ID } from "@/lib/sessions/policy";
import { applicationIdSchema } from "@/lib/sessions/schemas";

export const createApiKeyAction = consoleAction({ roles: ["ADMIN"], schema: createApiKeySchema, recentAuth: true }, async (input, session): Promise<ActionState<{ key: string; name: string }>> => {
  const latchkey = getLatchkey();
  const { key, apiKey } = await createApiKey(latchkey.apiKeys, latchkey.engine, input, session.actor);
  revalidatePath("/api-keys");
  return { ok: true, message: `Created "${apiKey.name}".`, data: { key, name: apiKey.name } };
});

export const revokeApiKeyAction = consoleAction({ roles: ["ADMIN"], schema: z.object({ id: z.string().max(64) }).strict() }, async ({ id }, session) => {
  const revoked = await revokeApiKey(getLatchkey().apiKeys, id, session.actor);
  revalidatePath("/api-keys");
  return revoked ? { ok: true, message: "Key revoked." } : { ok: false, error: "No live key with that id." };
});

const serviceSessionForm = z
  .object({
    appId: applicationIdSchema,
    client: z.string(),
    scopes: z.string().transform((text) => text.split(/[\s,]+/).filter(Boolean)),
    ttl: z.string().transform((text, context) => {
      const seconds = parseDurationSeconds(text.trim());
      if (seconds === null) {
        context.addIssue({ code: "custom", message: "is not a duration (examples: 15m, 1h)" });
        return z.NEVER;
      }
      return seconds;
    }),
    delegatedBy: z.string().trim().optional().transform((text) => text || undefined),
  })
  .strict();

export const createServiceSessionAction = consoleAction(
  { roles: ["ADMIN"], schema: serviceSessionForm, recentAuth: true },
  async ({ appId, client, scopes, ttl, delegatedBy }, session): Promise<ActionState<{ environment: string; client: string }>> => {
    const latchkey = getLatchkey();
    if (appId === CONSOLE_APP_ID) return { ok: false, error: "Service sessions belong to an application, not to the console.", fieldErrors: { appId: "choose an application" } };
    const issued = await latchkey.engine.app(appId).createServiceSession({ client, scopes, ttlSeconds: ttl, delegatedBy }, session.actor);
    const origin = (await headers()).get("origin");
    const url = latchkey.env.publicUrl ?? origin ?? "http://localhost:3000";
    revalidatePath("/sessions");
    return { ok: true, message: `Started service session ${issued.session.id}.`, data: { environment: encodeServiceSession(issued.token, url), client } };
  },
);
