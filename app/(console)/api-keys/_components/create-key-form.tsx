"use client";

import { useActionState } from "react";
import type { ActionState } from "@/lib/auth/action";
import { API_SCOPES, SCOPE_DESCRIPTIONS } from "@/lib/api/scopes";
import { createApiKeyAction } from "../actions";
import { ShownOnce } from "./shown-once";

const INITIAL: ActionState<{ key: string; name: string }> = { ok: false };

export function CreateKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, INITIAL);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="font-medium">New API key</h2>
      <label className="block text-sm">
        Name
        <input name="name" required maxLength={100} className="mt-1 block w-full max-w-sm rounded border border-slate-300 px-2 py-1" />
        {state.fieldErrors?.name ? <span className="text-xs text-red-700">{state.fieldErrors.name}</span> : null}
      </label>
      <fieldset className="text-sm">
        <legend>Scopes</legend>
        {API_SCOPES.map((scope) => (
          <label key={scope} className="mt-1 flex items-center gap-2">
            <input type="checkbox" name="scopes[]" value={scope} />
            <span className="font-mono">{scope}</span>
            <span className="text-slate-500">— {SCOPE_DESCRIPTIONS[scope]}</span>
          </label>
        ))}
        {state.fieldErrors?.scopes ? <span className="text-xs text-red-700">{state.fieldErrors.scopes}</span> : null}
      </fieldset>
      <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-60">
        {pending ? "Creating…" : "Create key"}
      </button>
      {state.error ? (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      ) : null}
      {state.ok && state.data ? (
        <ShownOnce title={`Copy the key for “${state.data.name}” now: it is shown only this once.`} value={state.data.key} testId="new-api-key" />
      ) : null}
    </form>
  );
}
