"use client";

import { useActionState } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { renameDeviceAction, signOutDeviceAction, signOutOtherDevicesAction } from "../actions";

const INITIAL: ActionState = { ok: false };

export function RenameDeviceForm({ sessionId, name }: { sessionId: string; name: string }) {
  const [state, action, pending] = useActionState(renameDeviceAction, INITIAL);
  return (
    <form action={action} className="flex flex-wrap items-end gap-2 text-sm">
      <input type="hidden" name="sessionId" value={sessionId} />
      <label className="flex flex-col">
        <span className="sr-only">New name for {name}</span>
        <input name="label" defaultValue={name} maxLength={100} required aria-label={`New name for ${name}`} className="rounded border border-slate-300 px-2 py-1" />
      </label>
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
        Rename
      </button>
      <FieldError state={state} name="label" />
      <FormStatus state={state} />
    </form>
  );
}

export function SignOutDeviceForm({ sessionId, current }: { sessionId: string; current: boolean }) {
  const [state, action, pending] = useActionState(signOutDeviceAction, INITIAL);
  return (
    <form action={action} className="text-sm">
      <input type="hidden" name="sessionId" value={sessionId} />
      <button type="submit" disabled={pending} className="rounded border border-red-300 px-2 py-1 text-red-700 hover:bg-red-50">
        {current ? "Sign out here" : "Sign out"}
      </button>
      <FormStatus state={state} />
    </form>
  );
}

export function SignOutOthersForm({ others }: { others: number }) {
  const [state, action, pending] = useActionState(signOutOtherDevicesAction, INITIAL);
  return (
    <form action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
      <p className="text-sm text-slate-600">
        {others === 0 ? "You are signed in on this device only." : `You are also signed in on ${others.toLocaleString("en-US")} other ${others === 1 ? "device" : "devices"}.`}
      </p>
      <ReauthField state={state} />
      <button type="submit" disabled={pending || others === 0} className="rounded bg-red-700 px-3 py-1.5 text-sm text-white disabled:opacity-50">
        Sign out all other devices
      </button>
      <FormStatus state={state} />
    </form>
  );
}
