"use client";

import { signOut } from "next-auth/react";
import { useActionState } from "react";
import { renameDevice, signOutDevice, type ActionState } from "./actions";

const initial: ActionState = { error: null };

export function RenameForm({ sessionId, label }: { sessionId: string; label: string }) {
  const [state, action, pending] = useActionState(renameDevice, initial);
  return (
    <form action={action}>
      <input type="hidden" name="sessionId" value={sessionId} />
      <input name="label" defaultValue={label} maxLength={100} aria-label="Device name" placeholder="Name this device" />
      <button type="submit" disabled={pending}>
        Rename
      </button>
      {state.error && <span role="alert">{state.error}</span>}
    </form>
  );
}

export function SignOutDeviceForm({ sessionId, name }: { sessionId: string; name: string }) {
  const [state, action, pending] = useActionState(signOutDevice, initial);
  return (
    <form action={action}>
      <input type="hidden" name="sessionId" value={sessionId} />
      <button type="submit" disabled={pending} aria-label={`Sign out ${name}`}>
        Sign out
      </button>
      {state.error && <span role="alert">{state.error}</span>}
    </form>
  );
}

export function SignOutButton() {
  return (
    <button type="button" onClick={() => void signOut({ callbackUrl: "/signin" })}>
      Sign out
    </button>
  );
}
