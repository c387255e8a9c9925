"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { deviceSchema, renameDeviceSchema } from "@/lib/auth/accounts";
import { consoleAction } from "@/lib/auth/action";
import { getLatchkey } from "@/lib/server/latchkey";

// Every action here works on the signed-in person's own sessions only: the owner is part of the
// engine's query, so another person's session id is answered like an unknown one.

const EVERYONE = ["ADMIN", "SUPPORT", "USER"] as const;

export const renameDeviceAction = consoleAction({ roles: EVERYONE, schema: renameDeviceSchema }, async ({ sessionId, label }, session) => {
  await getLatchkey().console.setDeviceLabel(sessionId, label, session.actor, { ownerUserId: session.userId });
  revalidatePath("/devices");
  return { ok: true, message: `Renamed to “${label}”.` };
});

export const signOutDeviceAction = consoleAction({ roles: EVERYONE, schema: deviceSchema }, async ({ sessionId }, session) => {
  await getLatchkey().console.revokeSession(sessionId, { reason: "SIGNED_OUT" }, session.actor, { ownerUserId: session.userId });
  revalidatePath("/devices");
  return { ok: true, message: "Signed out that device." };
});

export const signOutOtherDevicesAction = consoleAction({ roles: EVERYONE, schema: z.object({}).strict(), recentAuth: true }, async (_input, session) => {
  const ended = await getLatchkey().console.revokeUserSessions(session.userId, { reason: "SIGNED_OUT", note: "signed out all other devices" }, session.actor, {
    exceptSessionId: session.sessionId,
  });
  revalidatePath("/devices");
  return { ok: true, message: ended === 1 ? "Signed out 1 other device." : `Signed out ${ended.toLocaleString("en-US")} other devices.` };
});
