import type { z } from "zod";
import type { ConsoleRole } from "../db/user-repository";
import { isSessionError } from "../sessions/errors";
import { getConsoleSession, type ConsoleSession } from "./session";

/** What a console form shows after its server action ran. */
export interface ActionState<T = unknown> {
  ok: boolean;
  message?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
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
 * for itself who is signed in and with which role, validates its form with zod, and turns
 * engine errors into a form message; unexpected errors are logged, never shown.
 */
export function consoleAction<S extends z.ZodType, T>(
  options: { roles: readonly ConsoleRole[]; schema: S },
  handler: (input: z.output<S>, session: ConsoleSession) => Promise<ActionState<T>>,
) {
  return async (_previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    const session = await getConsoleSession();
    if (!session) return { ok: false, error: "Your session has ended; sign in again." };
    if (!options.roles.includes(session.role)) return { ok: false, error: "Your role does not allow this action." };
    const parsed = options.schema.safeParse(formObject(formData));
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".") || "form"] ??= issue.message;
      return { ok: false, error: "Please correct the highlighted fields.", fieldErrors };
    }
    try {
      return await handler(parsed.data, session);
    } catch (error) {
      if (isSessionError(error)) return { ok: false, error: error.message };
      console.error("latchkey console: action failed", error);
      return { ok: false, error: "Something went wrong on the server; the error was logged." };
    }
  };
}
