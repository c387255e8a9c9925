"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { consoleAction, type ActionState } from "@/lib/auth/action";
import { createApiKey, createApiKeySchema, revokeApiKey } from "@/lib/api/keys";
import { getLatchkey } from "@/lib/server/latchkey";

export const createApiKeyAction = consoleAction({ roles: ["ADMIN"], schema: createApiKeySchema }, async (input, session): Promise<ActionState<{ key: string; name: string }>> => {
  const { key, apiKey } = await createApiKey(getLatchkey().apiKeys, input, session.actor);
  revalidatePath("/api-keys");
  return { ok: true, message: `Created "${apiKey.name}".`, data: { key, name: apiKey.name } };
});

export const revokeApiKeyAction = consoleAction({ roles: ["ADMIN"], schema: z.object({ id: z.string().max(64) }).strict() }, async ({ id }, session) => {
  const revoked = await revokeApiKey(getLatchkey().apiKeys, id, session.actor);
  revalidatePath("/api-keys");
  return revoked ? { ok: true, message: "Key revoked." } : { ok: false, error: "No live key with that id." };
});
