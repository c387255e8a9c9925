"use server";

import { revalidatePath } from "next/cache";
import { changePassword, changePasswordSchema } from "@/lib/auth/accounts";
import { consoleAction } from "@/lib/auth/action";
import { requestClientIp } from "@/lib/auth/options";
import { reissueConsoleSession } from "@/lib/auth/reissue";
import { getLatchkey } from "@/lib/server/latchkey";

// The current password is asked for in the form itself, so no separate re-authentication.
export const changePasswordAction = consoleAction({ roles: ["ADMIN", "SUPPORT", "USER"], schema: changePasswordSchema, passwordChange: true }, async (input, session) => {
  const ended = await changePassword(getLatchkey(), session, input, await requestClientIp());
  // A new password is a change of trust: the session goes on under a new token.
  await reissueConsoleSession(getLatchkey(), session);
  // The first-password notice goes once the person has chosen their own.
  revalidatePath("/profile");
  return { ok: true, message: `Password changed. ${ended === 1 ? "1 other session was" : `${ended.toLocaleString("en-US")} other sessions were`} signed out.` };
});
