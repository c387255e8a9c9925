"use client";

import { useActionState, type ReactNode } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { CopyButton } from "@/components/copy-button";
import { changeRoleAction, createAccountAction, disableAccountAction, enableAccountAction, resetPasswordAction } from "../actions";

const ROLES = ["ADMIN", "SUPPORT", "USER"] as const;
const INITIAL: ActionState = { ok: false };
const CREATED: ActionState<{ email: string; password: string }> = { ok: false };

export function CreateAccountForm() {
  const [state, action, pending] = useActionState(createAccountAction, CREATED);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="font-medium">New account</h2>
      <div className="flex flex-wrap gap-3">
        <label className="text-sm">
          Email
          <input name="email" type="email" required className="mt-1 block rounded border border-slate-300 px-2 py-1" />
          <FieldError state={state} name="email" />
        </label>
        <label className="text-sm">
          Name
          <input name="name" maxLength={100} className="mt-1 block rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="text-sm">
          Role
          <select name="role" defaultValue="USER" className="mt-1 block rounded border border-slate-300 bg-white px-2 py-1">
            {ROLES.map((role) => (
              <option key={role}>{role}</option>
            ))}
          </select>
        </label>
      </div>
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-60">
        Create account
      </button>
      <FormStatus state={state} />
      {state.ok && state.data ? (
        <OneTimePassword password={state.data.password} testId="one-time-password">
          One-time password for <strong>{state.data.email}</strong> (shown only now; they must change it when they first sign in):
        </OneTimePassword>
      ) : null}
    </form>
  );
}

export function RoleForm({ userId, role, email }: { userId: string; role: string; email: string }) {
  const [state, action, pending] = useActionState(changeRoleAction, INITIAL);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2 text-sm">
      <input type="hidden" name="userId" value={userId} />
      <select name="role" defaultValue={role} aria-label={`Role of ${email}`} className="rounded border border-slate-300 bg-white px-2 py-1">
        {ROLES.map((value) => (
          <option key={value}>{value}</option>
        ))}
      </select>
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
        Set role
      </button>
      <FormStatus state={state} />
    </form>
  );
}

/** An admin gives an account a new one-time password: its sessions end, and it must choose its own at next sign-in. */
/** A one-time password, shown once, with a copy button. */
function OneTimePassword({ password, testId, children }: { password: string; testId: string; children: ReactNode }) {
  return (
    <div role="status" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
      <p>{children}</p>
      <div className="mt-1 flex items-center gap-2">
        <code data-testid={testId} className="font-mono">
          {password}
        </code>
        <CopyButton value={password} />
      </div>
    </div>
  );
}

export function ResetPasswordForm({ userId, email }: { userId: string; email: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, CREATED);
  return (
    <form action={action} className="space-y-1 text-sm">
      <input type="hidden" name="userId" value={userId} />
      <ReauthField state={state} />
      <button type="submit" disabled={pending} aria-label={`Reset the password of ${email}`} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
        Reset password
      </button>
      {state.error ? <FormStatus state={state} /> : null}
      {state.ok && state.data ? (
        <OneTimePassword password={state.data.password} testId="reset-password">
          One-time password (shown only now); {state.message}
        </OneTimePassword>
      ) : null}
    </form>
  );
}

export function DisableForm({ userId, disabled, email }: { userId: string; disabled: boolean; email: string }) {
  const [state, action, pending] = useActionState(disabled ? enableAccountAction : disableAccountAction, INITIAL);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2 text-sm">
      <input type="hidden" name="userId" value={userId} />
      <ReauthField state={state} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`${disabled ? "Enable" : "Disable"} ${email}`}
        className={disabled ? "rounded border border-slate-300 px-2 py-1" : "rounded border border-red-300 px-2 py-1 text-red-700 hover:bg-red-50"}
      >
        {disabled ? "Enable" : "Disable"}
      </button>
      <FormStatus state={state} />
    </form>
  );
}
