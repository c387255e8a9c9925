"use client";

import { useActionState } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { renameApplicationAction, setApplicationDisabledAction } from "../../actions";

const INITIAL: ActionState = { ok: false };

export function RenameApplicationForm({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(renameApplicationAction, INITIAL);
  return (
    <form action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-label="Rename">
      <input type="hidden" name="id" value={id} />
      <label className="block text-sm">
        Name
        <input name="name" defaultValue={name} required maxLength={64} className="mt-1 block w-full max-w-sm rounded border border-slate-300 px-2 py-1" />
        <FieldError state={state} name="name" />
      </label>
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-3 py-1.5 text-sm">
        Rename
      </button>
      <FormStatus state={state} />
    </form>
  );
}

export function DisableApplicationForm({ id, disabled }: { id: string; disabled: boolean }) {
  const [state, action, pending] = useActionState(setApplicationDisabledAction, INITIAL);
  return (
    <form action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-label={disabled ? "Enable" : "Disable"}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="disabled" value={disabled ? "no" : "yes"} />
      <p className="text-sm text-slate-600">
        {disabled
          ? "Disabled: its API keys are refused and its sessions resolve as APP_DISABLED."
          : "Disabling refuses its API keys and every one of its sessions at once (they are kept, and work again when it is enabled)."}
      </p>
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className={`rounded px-3 py-1.5 text-sm ${disabled ? "border border-slate-300" : "bg-red-700 text-white"}`}>
        {disabled ? "Enable application" : "Disable application"}
      </button>
      <FormStatus state={state} />
    </form>
  );
}
