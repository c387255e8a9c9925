"use server";

import { revalidatePath } from "next/cache";
import {
  accountSchema,
  changeAccountRole,
  changeRoleSchema,
  createAccount,
  createAccountSchema,
  disableAccount,
  enableAccount,
  resetAccountPassword,
} from "@/lib/auth/accounts";
import { consoleAction, type ActionState } from "@/lib/auth/action";
import { getLatchkey } from "@/lib/server/latchkey";

// Admin actions on accounts: ADMIN only, and each needs a recent sign-in.
const ADMIN_ONLY = { roles: ["ADMIN"] as const, recentAuth: true };

export const createAccountAction = consoleAction(
  { ...ADMIN_ONLY, schema: createAccountSchema },
  async (input, session): Promise<ActionState<{ email: string; password: string }>> => {
    const { account, password } = await createAccount(getLatchkey(), input, session.actor);
    revalidatePath("/accounts");
    return { ok: true, message: `Created ${account.email}.`, data: { email: account.email, password } };
  },
);

export const changeRoleAction = consoleAction({ ...ADMIN_ONLY, schema: changeRoleSchema }, async ({ userId, role }, session) => {
  const ended = await changeAccountRole(getLatchkey(), userId, role, session.actor);
  revalidatePath("/accounts");
  return { ok: true, message: `Role set to ${role}; ${ended.toLocaleString("en-US")} ${ended === 1 ? "session" : "sessions"} ended.` };
});

export const disableAccountAction = consoleAction({ ...ADMIN_ONLY, schema: accountSchema }, async ({ userId }, session) => {
  const ended = await disableAccount(getLatchkey(), userId, session.actor);
  revalidatePath("/accounts");
  return { ok: true, message: `Account disabled; ${ended.toLocaleString("en-US")} ${ended === 1 ? "session" : "sessions"} ended.` };
});

export const enableAccountAction = consoleAction({ ...ADMIN_ONLY, schema: accountSchema }, async ({ userId }, session) => {
  await enableAccount(getLatchkey(), userId, session.actor);
  revalidatePath("/accounts");
  return { ok: true, message: "Account enabled." };
});

export const resetPasswordAction = consoleAction(
  { ...ADMIN_ONLY, schema: accountSchema },
  async ({ userId }, session): Promise<ActionState<{ email: string; password: string }>> => {
    const { email, password, ended } = await resetAccountPassword(getLatchkey(), userId, session.actor);
    revalidatePath("/accounts");
    return { ok: true, message: `${email} must choose a new one at next sign-in; ${ended.toLocaleString("en-US")} ${ended === 1 ? "session" : "sessions"} ended.`, data: { email, password } };
  },
);
