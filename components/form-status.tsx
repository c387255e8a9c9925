import type { ActionState } from "@/lib/auth/action";

/** The outcome of a console form: an error (role=alert) or a confirmation (role=status). */
export function FormStatus({ state }: { state: ActionState<unknown> }) {
  if (state.error) {
    return (
      <p role="alert" className="text-sm text-red-700">
        {state.error}
      </p>
    );
  }
  if (state.ok && state.message) {
    return (
      <p role="status" className="text-sm text-emerald-700">
        {state.message}
      </p>
    );
  }
  return null;
}

/** Shown when a sensitive action needs the password again (the sign-in is not recent enough). */
export function ReauthField({ state }: { state: ActionState<unknown> }) {
  if (!state.reauthRequired) return null;
  return (
    <label className="block text-sm">
      Your password
      <input
        name="reauthPassword"
        type="password"
        autoComplete="current-password"
        required
        autoFocus
        className="mt-1 block w-full max-w-xs rounded border border-amber-400 px-2 py-1"
      />
    </label>
  );
}

export function FieldError({ state, name }: { state: ActionState<unknown>; name: string }) {
  const message = state.fieldErrors?.[name];
  return message ? <span className="block text-xs text-red-700">{message}</span> : null;
}

/** A page-level problem (bad filters in the URL, for instance), or nothing. */
export function ErrorNotice({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800">
      {error}
    </p>
  );
}
