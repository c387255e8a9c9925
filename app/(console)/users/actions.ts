"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { consoleAction } from "@/lib/auth/action";
import { getLatchkey } from "@/lib/server/latchkey";
import { CONSOLE_APP_ID } from "@/lib/sessions/policy";
import { userHref } from "@/lib/console/apps";
import { applicationIdSchema, identifierSchema } from "@/lib/sessions/schemas";

const note = z.string().trim().min(1, "say why (a reason or ticket)").max(500, "must be at most 500 characters");

export const logoutEverywhereAction = consoleAction(
  { roles: ["ADMIN", "SUPPORT"], schema: z.object({ appId: applicationIdSchema, userId: identifierSchema, note }).strict() },
  async ({ appId, userId, note: reason }, session) => {
    const ended = await getLatchkey().engine.app(appId).revokeUserSessions(userId, { reason: "LOGGED_OUT_EVERYWHERE", note: reason }, session.actor);
    revalidatePath(userHref(appId, userId));
    return { ok: true, message: `Logged out everywhere: ${ended.toLocaleString("en-US")} ${ended === 1 ? "session" : "sessions"} ended.` };
  },
);

export const disableUserAction = consoleAction(
  { roles: ["ADMIN"], schema: z.object({ appId: applicationIdSchema, userId: identifierSchema, note }).strict(), recentAuth: true },
  async ({ appId, userId, note: reason }, session) => {
    if (appId === CONSOLE_APP_ID && userId === session.userId) return { ok: false, error: "You cannot disable yourself." };
    const ended = await getLatchkey().engine.app(appId).disableUser(userId, reason, session.actor);
    revalidatePath(userHref(appId, userId));
    return { ok: true, message: `User disabled; ${ended.toLocaleString("en-US")} ${ended === 1 ? "session" : "sessions"} ended.` };
  },
);

export const enableUserAction = consoleAction({ roles: ["ADMIN"], schema: z.object({ appId: applicationIdSchema, userId: identifierSchema }).strict(), recentAuth: true }, async ({ appId, userId }, session) => {
  await getLatchkey().engine.app(appId).enableUser(userId, session.actor);
  revalidatePath(userHref(appId, userId));
  return { ok: true, message: "User enabled." };
});
