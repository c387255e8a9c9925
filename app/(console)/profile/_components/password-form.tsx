"use client";

import { useActionState } from "react";
import { FieldError, FormStatus } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { changePasswordAction } from "../actions";

const INITIAL: ActionState = { ok: false };

const INPUT = "mt-1 block w-full max-w-sm rounded border border-slate-300 px-2 py-1";

export function PasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, INITIAL);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="font-medium">Change password</h2>
      <label className="block text-sm">
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required className={INPUT} />
        <FieldError state={state} name="currentPassword" />
      </label>
      <label className="block text-sm">
        New password (at least 12 characters)
        <input name="newPassword" type="password" autoComplete="new-password" required minLength={12} className={INPUT} />
        <FieldError state={state} name="newPassword" />
      </label>
      <label className="block text-sm">
        New password again
        <input name="confirmPassword" type="password" autoComplete="new-password" required className={INPUT} />
        <FieldError state={state} name="confirmPassword" />
      </label>
      <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-60">
        Change password
      </button>
      <p className="text-xs text-slate-500">Changing your password signs you out everywhere else.</p>
      <FormStatus state={state} />
    </form>
  );
}
