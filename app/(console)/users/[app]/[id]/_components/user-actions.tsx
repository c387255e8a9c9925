"use client";

import { useActionState, useRef } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { disableUserAction, enableUserAction, logoutEverywhereAction } from "../../../actions";

const INITIAL: ActionState = { ok: false };

/** "Log out everywhere" behind a confirmation dialog that asks for the reason. */
export function LogoutEverywhere({ appId, userId, live, label = "Log out everywhere" }: { appId: string; userId: string; live: number; label?: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, action, pending] = useActionState(logoutEverywhereAction, INITIAL);
  return (
    <div className="space-y-2">
      <button type="button" onClick={() => dialog.current?.showModal()} className="rounded bg-red-700 px-3 py-1.5 text-sm text-white">
        {label}
      </button>
      {state.ok || state.error ? <FormStatus state={state} /> : null}
      <dialog ref={dialog} aria-labelledby="logout-title" className="m-auto rounded-lg p-0 backdrop:bg-slate-900/40">
        <form action={action} onSubmit={() => dialog.current?.close()} className="w-96 max-w-full space-y-3 p-5">
          <h2 id="logout-title" className="font-semibold">
            Log this user out everywhere?
          </h2>
          <p className="text-sm text-slate-600">
            {live === 1 ? "1 live session ends" : `${live.toLocaleString("en-US")} live sessions end`} at once, on every device.
          </p>
          <input type="hidden" name="appId" value={appId} />
          <input type="hidden" name="userId" value={userId} />
          <label className="block text-sm">
            Reason or ticket
            <input name="note" required maxLength={500} className="mt-1 block w-full rounded border border-slate-300 px-2 py-1" />
            <FieldError state={state} name="note" />
          </label>
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded border border-slate-300 px-3 py-1 text-sm">
              Cancel
            </button>
            <button type="submit" disabled={pending} className="rounded bg-red-700 px-3 py-1 text-sm text-white">
              Log out everywhere
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}

export function DisableUser({ appId, userId, disabled }: { appId: string; userId: string; disabled: boolean }) {
  const [state, action, pending] = useActionState(disabled ? enableUserAction : disableUserAction, INITIAL);
  return (
    <form action={action} className="flex flex-wrap items-end gap-2 text-sm">
      <input type="hidden" name="appId" value={appId} />
      <input type="hidden" name="userId" value={userId} />
      {disabled ? null : (
        <label className="text-sm">
          Reason
          <input name="note" required maxLength={500} className="mt-1 block rounded border border-slate-300 px-2 py-1" />
        </label>
      )}
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-3 py-1.5">
        {disabled ? "Enable user" : "Disable user"}
      </button>
      <ReauthField state={state} />
      <FormStatus state={state} />
    </form>
  );
}
