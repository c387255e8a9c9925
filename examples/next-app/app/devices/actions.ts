"use server";

import { isLatchkeyApiError, sessionIdOfToken } from "@latchkey/client";
import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { latchkey, sessionCookie } from "@/lib/latchkey";

export interface ActionState {
  error: string | null;
}

/** The signed-in person and one of their own sessions: an id from the form is checked, never trusted. */
async function ownSession(form: FormData): Promise<{ userId: string; sessionId: string } | null> {
  const user = await currentUser();
  if (!user) redirect("/signin");
  const sessionId = String(form.get("sessionId") ?? "");
  if (!sessionId) return null;
  try {
    const { session } = await latchkey.getSession(sessionId);
    return session.userId === user.id ? { userId: user.id, sessionId } : null;
  } catch (error) {
    if (isLatchkeyApiError(error) && (error.code === "SESSION_NOT_FOUND" || error.status === 400)) return null;
    throw error;
  }
}

export async function renameDevice(_state: ActionState, form: FormData): Promise<ActionState> {
  const own = await ownSession(form);
  if (!own) return { error: "That device is not one of yours." };
  const label = String(form.get("label") ?? "").trim();
  if (label.length > 100) return { error: "A device name is at most 100 characters." };
  await latchkey.updateSession(own.sessionId, { deviceLabel: label || null });
  revalidatePath("/devices");
  return { error: null };
}

export async function signOutDevice(_state: ActionState, form: FormData): Promise<ActionState> {
  const own = await ownSession(form);
  if (!own) return { error: "That device is not one of yours." };
  await latchkey.revokeSession(own.sessionId, { reason: "REVOKED", note: "from another of your devices" });
  revalidatePath("/devices");
  return { error: null };
}

export async function signOutOtherDevices(): Promise<void> {
  const user = await currentUser();
  if (!user) redirect("/signin");
  const current = sessionIdOfToken((await cookies()).get(sessionCookie)?.value ?? "");
  if (!current) redirect("/signin");
  await latchkey.revokeUserSessions(user.id, { reason: "REVOKED", note: "from another of your devices", exceptSessionId: current });
  revalidatePath("/devices");
}
