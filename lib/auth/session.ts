import { getServerSession } from "next-auth";
import { cache } from "react";
import { redirect } from "next/navigation";
import { CONSOLE_ROLES, type ConsoleRole } from "../db/user-repository";
import type { Actor } from "../sessions/types";
import { getAuthOptions, requestIsHttps } from "./options";

/** Who is signed in to the console, as of this request. */
export interface ConsoleSession {
  sessionId: string;
  userId: string;
  email: string;
  name: string | null;
  role: ConsoleRole;
  /** When the person last signed in or re-entered their password. */
  authenticatedAt: Date | null;
  mustChangePassword: boolean;
  actor: Actor;
}

/**
 * The console sign-in of this request, resolved through the engine (so revocation and expiry
 * apply at once) with the role read fresh from the account; null when signed out. Memoized for
 * the request: the layout and the page share one resolve.
 */
export const getConsoleSession = cache(async function getConsoleSession(): Promise<ConsoleSession | null> {
  const session = await getServerSession(getAuthOptions(await requestIsHttps()));
  if (!session?.sessionId || !session.userId || !session.user?.email) return null;
  const role = CONSOLE_ROLES.find((known) => known === session.role);
  if (!role) return null;
  const email = session.user.email;
  return {
    sessionId: session.sessionId,
    userId: session.userId,
    email,
    name: session.user.name ?? null,
    role,
    authenticatedAt: session.authenticatedAt ? new Date(session.authenticatedAt) : null,
    mustChangePassword: session.mustChangePassword === true,
    actor: { type: "user", id: session.userId, label: email },
  };
});

/**
 * The console session, or a redirect to sign-in; with `roles`, a redirect to /forbidden for
 * others. An account still on its one-time password is sent to change it first.
 */
export async function requireConsoleSession(roles?: readonly ConsoleRole[], options: { passwordChangePage?: boolean } = {}): Promise<ConsoleSession> {
  const session = await getConsoleSession();
  if (!session) redirect("/login");
  if (roles && !roles.includes(session.role)) redirect("/forbidden");
  if (session.mustChangePassword && !options.passwordChangePage) redirect("/profile");
  return session;
}

/** True when the person signed in or re-entered their password within the re-authentication window. */
export function isRecentlyAuthenticated(session: ConsoleSession, windowSeconds: number, now = Date.now()): boolean {
  return session.authenticatedAt !== null && now - session.authenticatedAt.getTime() <= windowSeconds * 1000;
}

/**
 * The console session of a route handler, which answers JSON rather than redirecting: the
 * session, or the answer that refuses it (signed out, a role not in `roles`, or an account that
 * must still choose its own password).
 */
export async function consoleRouteSession(roles: readonly ConsoleRole[], refusal: string): Promise<{ session: ConsoleSession; refused: null } | { session: null; refused: Response }> {
  const session = await getConsoleSession();
  const refuse = (status: number, code: string, message: string) => ({ session: null, refused: Response.json({ error: { code, message } }, { status }) });
  if (!session) return refuse(401, "UNAUTHORIZED", "Sign in first.");
  if (!roles.includes(session.role)) return refuse(403, "FORBIDDEN", refusal);
  if (session.mustChangePassword) return refuse(403, "FORBIDDEN", "Choose your own password first (on your profile page).");
  return { session, refused: null };
}
