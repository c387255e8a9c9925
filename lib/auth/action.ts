import type { z } from "zod";
import type { ConsoleRole } from "../db/user-repository";
import { isSessionError } from "../sessions/errors";
import { getLatchkey } from "../server/latchkey";
import { getLogger } from "../server/log";
import { currentTrace } from "../server/request-trace";
import { reauthenticate } from "./accounts";
import { requestClientIp } from "./options";
import { reissueConsoleSession } from "./reissue";
import { getConsoleSession, isRecentlyAuthenticated, type ConsoleSession } from "./session";

/** The form field in which a person re-enters their password for a sensitive action. */
export const REAUTH_FIELD = "reauthPassword";

/** What a console form shows after its server action ran. */
export interface ActionState<T = unknown> {
  ok: boolean;
  message?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
  /** The action needs a recent sign-in: the form asks for the password again. */
  reauthRequired?: boolean;
  data?: T;
}

export const INITIAL_ACTION_STATE: ActionState = { ok: false };

function formObject(formData: FormData): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [name, value] of formData) {
    if (name.startsWith("$ACTION")) continue;
    const text = typeof value === "string" ? value : value.name;
    if (name.endsWith("[]")) {
      const key = name.slice(0, -2);
      object[key] = [...((object[key] as string[] | undefined) ?? []), text];
    } else {
      object[name] = text;
    }
  }
  return object;
}

/**
 * Wraps a console server action. Server actions are public POST endpoints, so each one checks
 * for itself who is signed in and with which role, whether the account must still choose its
 * password (`passwordChange`: the action that does it) and, with `recentAuth`, whether the
 * sign-in is recent enough; it validates its form with zod and turns engine errors into a form
 * message; unexpected errors are logged, never shown.
 */
export function consoleAction<S extends z.ZodType, T>(
  options: { roles: readonly ConsoleRole[]; schema: S; recentAuth?: boolean; passwordChange?: boolean },
  handler: (input: z.output<S>, session: ConsoleSession) => Promise<ActionState<T>>,
) {
  return async (_previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    const session = await getConsoleSession();
    if (!session) return { ok: false, error: "Your session has ended; sign in again." };
    if (!options.roles.includes(session.role)) return { ok: false, error: "Your role does not allow this action." };
    // An account still on a one-time password may do nothing but choose its own.
    if (session.mustChangePassword && !options.passwordChange) return { ok: false, error: "Choose your own password first (on your profile page)." };
    const fields = formObject(formData);
    const password = typeof fields[REAUTH_FIELD] === "string" ? (fields[REAUTH_FIELD] as string) : "";
    delete fields[REAUTH_FIELD];
    // The form is checked before any password: a password entered again counts as a fresh
    // sign-in only for an action that then runs (and gives the session a new token).
    const parsed = options.schema.safeParse(fields);
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".") || "form"] ??= issue.message;
      return { ok: false, error: "Please correct the highlighted fields.", fieldErrors };
    }
    let reauthenticated = false;
    if (options.recentAuth && !isRecentlyAuthenticated(session, getLatchkey().env.reauthWindowSeconds)) {
      if (!password) return { ok: false, reauthRequired: true, error: "For your security, enter your password again to continue." };
      const checked = await reauthenticate(getLatchkey(), session, password, await requestClientIp());
      if (!checked.ok && checked.reason === "RATE_LIMITED") {
        return { ok: false, reauthRequired: true, error: `Too many wrong passwords; try again in ${checked.retryAfter} s.` };
      }
      if (!checked.ok) return { ok: false, reauthRequired: true, error: "That password is wrong.", fieldErrors: { [REAUTH_FIELD]: "wrong password" } };
      reauthenticated = true;
    }
    try {
      return await handler(parsed.data, session);
    } catch (error) {
      if (isSessionError(error)) return { ok: false, error: error.message };
      getLogger().error({ reqId: currentTrace()?.id, err: error }, "console: action failed");
      return { ok: false, error: "Something went wrong on the server; the error was logged." };
    } finally {
      // The password was entered again: the session goes on under a new token, as after a sign-in.
      // After the action, which may still name the session by its id (to spare it, say).
      if (reauthenticated) await reissueConsoleSession(getLatchkey(), session);
    }
  };
}
