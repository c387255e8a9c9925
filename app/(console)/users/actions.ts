"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { consoleAction } from "@/lib/auth/action";
import { getLatchkey } from "@/lib/server/latchkey";
import { identifierSchema } from "@/lib/sessions/schemas";

const note = z.string().trim().min(1, "say why (a reason or ticket)").max(500, "must be at most 500 characters");

export const logoutEverywhereAction = consoleAction(
  { roles: ["ADMIN", "SUPPORT"], schema: z.object({ userId: identifierSchema, note }).strict() },
  async ({ userId, note: reason }, session) => {
    const ended = await getLatchkey().engine.revokeUserSessions(userId, { reason: "LOGGED_OUT_EVERYWHERE", note: reason }, session.actor);
    revalidatePath(`/users/${encodeURIComponent(userId)}`);
    return { ok: true, message: `Logged out everywhere: ${ended} ${ended === 1 ? "session" : "sessions"} ended.` };
  },
);

export const disableUserAction = consoleAction(
  { roles: ["ADMIN"], schema: z.object({ userId: identifierSchema, note }).strict() },
  async ({ userId, note: reason }, session) => {
    if (userId === session.userId) return { ok: false, error: "You cannot disable yourself." };
    const ended = await getLatchkey().engine.disableUser(userId, reason, session.actor);
    revalidatePath(`/users/${encodeURIComponent(userId)}`);
    return { ok: true, message: `User disabled; ${ended} ${ended === 1 ? "session" : "sessions"} ended.` };
  },
);

export const enableUserAction = consoleAction({ roles: ["ADMIN"], schema: z.object({ userId: identifierSchema }).strict() }, async ({ userId }, session) => {
  await getLatchkey().engine.enableUser(userId, session.actor);
  revalidatePath(`/users/${encodeURIComponent(userId)}`);
  return { ok: true, message: "User enabled." };
});
