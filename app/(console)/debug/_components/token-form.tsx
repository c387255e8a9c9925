"use client";

import { useActionState } from "react";
import { DiagnosisView } from "@/components/diagnosis-view";
import { FieldError, FormStatus } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import type { Diagnosis } from "@/lib/sessions/diagnose";
import { diagnoseTokenAction } from "../actions";

const INITIAL: ActionState<Diagnosis> = { ok: false };

/** Paste a token, get the diagnosis; the field is emptied once it is sent. */
export function TokenForm() {
  const [state, action, pending] = useActionState(diagnoseTokenAction, INITIAL);
  return (
    <div className="space-y-4">
      <form action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-label="Diagnose a token">
        <label className="block text-sm">
          Session token
          <textarea
            name="token"
            rows={2}
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="lks_…"
            className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs"
          />
          <FieldError state={state} name="token" />
        </label>
        <p className="text-xs text-slate-500">Parsed and hashed in memory only: the token is not stored, logged or put in the address bar.</p>
        <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">
          Diagnose token
        </button>
        <FormStatus state={state} />
      </form>
      {state.ok && state.data ? <DiagnosisView diagnosis={state.data} /> : null}
    </div>
  );
}
