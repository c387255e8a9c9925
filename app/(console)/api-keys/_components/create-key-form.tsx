"use client";

import { useActionState } from "react";
import { ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import type { AppChoice } from "@/lib/console/apps";
import { API_SCOPES, SCOPE_DESCRIPTIONS } from "@/lib/api/scopes";
import { createApiKeyAction } from "../actions";
import { ShownOnce } from "./shown-once";

const INITIAL: ActionState<{ key: string; name: string }> = { ok: false };

/** The application a new key or service session belongs to: the only one it will reach. */
export function ApplicationSelect({ apps, error }: { apps: AppChoice[]; error?: string }) {
  return (
    <label className="block text-sm">
      Application
      <select name="appId" required defaultValue={apps[0]?.id} className="mt-1 block w-full max-w-sm rounded border border-slate-300 bg-white px-2 py-1">
        {apps.map((app) => (
          <option key={app.id} value={app.id}>
            {app.name}
          </option>
        ))}
      </select>
      {error ? <span className="text-xs text-red-700">{error}</span> : null}
    </label>
  );
}

export function CreateKeyForm({ apps }: { apps: AppChoice[] }) {
  const [state, action, pending] = useActionState(createApiKeyAction, INITIAL);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="font-medium">New API key</h2>
      <ApplicationSelect apps={apps} error={state.fieldErrors?.appId} />
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
      <ReauthField state={state} />
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
