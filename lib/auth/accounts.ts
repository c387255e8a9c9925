import { z } from "zod";
import { CONSOLE_ROLES, type ConsoleRole } from "../db/user-repository";
import type { Latchkey } from "../server/latchkey";
import { ErrorCode, SessionError } from "../sessions/errors";
import { CONSOLE_APP_ID } from "../sessions/policy";
import { deviceLabelSchema, sessionIdSchema } from "../sessions/schemas";
import type { Actor } from "../sessions/types";
import { checkPassword, type PasswordCheck } from "./password-sign-in";
import { generatePassword, hashPassword } from "./passwords";

/** Form shapes of console accounts and devices: forms, server actions and tests share them. */

const email = z.string().trim().toLowerCase().max(320, "must be at most 320 characters").email("must be an email address");
const userId = z.string().trim().min(1).max(200);
export const newPasswordSchema = z.string().min(12, "must be at least 12 characters").max(1024, "must be at most 1024 characters");

export const createAccountSchema = z
  .object({
    email,
    name: z.string().trim().max(100, "must be at most 100 characters").optional().transform((value) => value || null),
    role: z.enum(CONSOLE_ROLES, { error: "choose ADMIN, SUPPORT or USER" }),
  })
  .strict();
export const changeRoleSchema = z.object({ userId, role: z.enum(CONSOLE_ROLES, { error: "choose ADMIN, SUPPORT or USER" }) }).strict();
export const accountSchema = z.object({ userId }).strict();
export const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1, "enter your current password").max(1024), newPassword: newPasswordSchema, confirmPassword: z.string().max(1024) })
  .strict()
  .refine((value) => value.newPassword === value.confirmPassword, { message: "the two new passwords differ", path: ["confirmPassword"] });
export const renameDeviceSchema = z.object({ sessionId: sessionIdSchema, label: deviceLabelSchema }).strict();
export const deviceSchema = z.object({ sessionId: sessionIdSchema }).strict();

function refuse(message: string): never {
  throw new SessionError(ErrorCode.FORBIDDEN, message);
}

async function assertAnotherAdminRemains(latchkey: Latchkey, userId: string): Promise<void> {
  const admins = (await latchkey.users.listConsoleAccounts()).filter((account) => account.role === "ADMIN" && !account.disabledAt);
  if (admins.every((admin) => admin.id === userId)) refuse("This is the last active admin account; make another admin first.");
}

/** Creates a console account with a one-time password that must be changed at first sign-in. */
export async function createAccount(latchkey: Latchkey, input: z.output<typeof createAccountSchema>, actor: Actor) {
  if (await latchkey.users.findCredentials(input.email)) refuse("An account with this email exists already.");
  const password = generatePassword();
  const now = new Date();
  const account = await latchkey.users.createConsoleUser(
    { email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(password), mustChangePassword: true, at: now },
    { appId: CONSOLE_APP_ID, at: now, type: "user.created", actor, details: { role: input.role, email: input.email } },
  );
  return { account, password };
}

/**
 * Gives an account another role and ends all its sessions, so that no session signed in with
 * the old rights lives on; the person signs in again under the new role.
 */
export async function changeAccountRole(latchkey: Latchkey, userId: string, role: ConsoleRole, actor: Actor): Promise<number> {
  const account = await latchkey.users.findCredentialsById(userId);
  if (!account) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such account.");
  if (account.consoleRole === role) return 0;
  if (account.consoleRole === "ADMIN") await assertAnotherAdminRemains(latchkey, userId);
  await latchkey.users.setConsoleRole(userId, role, { appId: CONSOLE_APP_ID, at: new Date(), type: "user.role_changed", actor, details: { from: account.consoleRole, to: role } });
  return latchkey.console.revokeUserSessions(userId, { reason: "ROLE_CHANGED", note: `role changed to ${role}` }, actor);
}

/** Disables an account: all its sessions end and it cannot sign in until enabled again. */
export async function disableAccount(latchkey: Latchkey, userId: string, actor: Actor): Promise<number> {
  if (actor.id === userId) refuse("You cannot disable your own account.");
  const account = await latchkey.users.findCredentialsById(userId);
  if (!account) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such account.");
  if (account.consoleRole === "ADMIN") await assertAnotherAdminRemains(latchkey, userId);
  return latchkey.console.disableUser(userId, "disabled in the console", actor);
}

export async function enableAccount(latchkey: Latchkey, userId: string, actor: Actor): Promise<void> {
  await latchkey.console.enableUser(userId, actor);
}

/**
 * Gives another account a new one-time password (it must choose its own at next sign-in) and
 * ends all of its sessions: for a person who forgot theirs. Not one's own (use the profile).
 */
export async function resetAccountPassword(latchkey: Latchkey, userId: string, actor: Actor): Promise<{ email: string; password: string; ended: number }> {
  if (actor.id === userId) refuse("Change your own password on your profile.");
  const account = await latchkey.users.findCredentialsById(userId);
  if (!account) throw new SessionError(ErrorCode.SESSION_NOT_FOUND, "No such account.");
  const password = generatePassword();
  await latchkey.users.setPassword(userId, await hashPassword(password), true, {
    appId: CONSOLE_APP_ID,
    at: new Date(),
    type: "user.password_changed",
    actor,
    details: { reset: true },
  });
  const ended = await latchkey.console.revokeUserSessions(userId, { reason: "PASSWORD_CHANGED", note: "password reset by an admin" }, actor);
  return { email: account.email, password, ended };
}

/**
 * Changes the signed-in person's password after checking the current one, and signs out every
 * other session of theirs (ASVS 5.0 7.4.3); the current session stays and counts as a fresh sign-in.
 */
export async function changePassword(
  latchkey: Latchkey,
  session: { userId: string; sessionId: string; actor: Actor },
  input: z.output<typeof changePasswordSchema>,
  ip: string | null,
): Promise<number> {
  const account = await latchkey.users.findCredentialsById(session.userId);
  const checked = account ? await checkPassword(account.email, ip, input.currentPassword, account.passwordHash) : ({ ok: false, reason: "INVALID" } as const);
  if (!checked.ok && checked.reason === "RATE_LIMITED") throw tooManyGuesses(checked.retryAfter);
  if (!checked.ok) throw new SessionError(ErrorCode.VALIDATION_FAILED, "The current password is wrong.", { field: "currentPassword" });
  if (input.newPassword === input.currentPassword) {
    throw new SessionError(ErrorCode.VALIDATION_FAILED, "The new password must differ from the current one.", { field: "newPassword" });
  }
  const now = new Date();
  await latchkey.users.setPassword(session.userId, await hashPassword(input.newPassword), false, {
    appId: CONSOLE_APP_ID,
    at: now,
    type: "user.password_changed",
    actor: session.actor,
  });
  const ended = await latchkey.console.revokeUserSessions(session.userId, { reason: "PASSWORD_CHANGED" }, session.actor, { exceptSessionId: session.sessionId });
  await latchkey.console.confirmAuthentication(session.sessionId, session.actor);
  return ended;
}

/**
 * Checks a person's password again, under the sign-in limits (a stolen cookie is no guessing
 * oracle), and records a fresh sign-in on their session.
 */
export async function reauthenticate(
  latchkey: Latchkey,
  session: { userId: string; sessionId: string; actor: Actor },
  password: string,
  ip: string | null,
): Promise<PasswordCheck> {
  const account = await latchkey.users.findCredentialsById(session.userId);
  if (!account) return { ok: false, reason: "INVALID" };
  const checked = await checkPassword(account.email, ip, password, account.passwordHash);
  if (checked.ok) await latchkey.console.confirmAuthentication(session.sessionId, session.actor);
  return checked;
}

function tooManyGuesses(retryAfter: number): SessionError {
  return new SessionError(ErrorCode.FORBIDDEN, `Too many wrong passwords; try again in ${retryAfter} s.`, { retryAfterSeconds: retryAfter });
}
