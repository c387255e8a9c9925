import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { CONSOLE_ROLES, type ConsoleRole } from "../db/user-repository";
import type { Actor } from "../sessions/types";
import { getAuthOptions } from "./options";

/** Who is signed in to the console, as of this request. */
export interface ConsoleSession {
  sessionId: string;
  userId: string;
  email: string;
  name: string | null;
  role: ConsoleRole;
  actor: Actor;
}

/**
 * The console sign-in of this request, resolved through the engine (so revocation and expiry
 * apply at once), with the role read fresh from the account; null when signed out.
 */
export async function getConsoleSession(): Promise<ConsoleSession | null> {
  const session = await getServerSession(getAuthOptions());
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
    actor: { type: "user", id: session.userId, label: email },
  };
}

/** The console session, or a redirect to sign-in; with `roles`, a redirect to /forbidden for others. */
export async function requireConsoleSession(roles?: readonly ConsoleRole[]): Promise<ConsoleSession> {
  const session = await getConsoleSession();
  if (!session) redirect("/login");
  if (roles && !roles.includes(session.role)) redirect("/forbidden");
  return session;
}
