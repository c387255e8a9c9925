"use client";

import { useActionState } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import type { AppChoice } from "@/lib/console/apps";
import { createServiceSessionAction } from "../actions";
import { ApplicationSelect } from "./create-key-form";
import { ShownOnce } from "./shown-once";

const INITIAL: ActionState<{ environment: string; client: string }> = { ok: false };
const INPUT = "mt-1 block w-full max-w-sm rounded border border-slate-300 px-2 py-1";

/** A short-lived session for a script, CI job or agent, handed out as LATCHKEY_SESSION. */
export function CreateServiceSessionForm({ apps }: { apps: AppChoice[] }) {
  const [state, action, pending] = useActionState(createServiceSessionAction, INITIAL);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-label="New service session">
      <h2 className="font-medium">New service session</h2>
      <p className="text-sm text-slate-600">
        For automation that presents its own session to your apps. It is listed and revocable on the Sessions page (kind: service).
      </p>
      <ApplicationSelect apps={apps} error={state.fieldErrors?.appId} />
      <label className="block text-sm">
        Client name
        <input name="client" required maxLength={64} placeholder="nightly-backup" className={INPUT} />
        <FieldError state={state} name="client" />
      </label>
      <label className="block text-sm">
        Scopes (separated by spaces or commas)
        <input name="scopes" required placeholder="reports:read exports:write" className={INPUT} />
        <FieldError state={state} name="scopes" />
      </label>
      <label className="block text-sm">
        Lifetime (at most 24h)
        <input name="ttl" defaultValue="1h" required className={INPUT} />
        <FieldError state={state} name="ttl" />
      </label>
      <label className="block text-sm">
        Acting for (a person&apos;s user id, optional)
        <input name="delegatedBy" className={INPUT} />
        <FieldError state={state} name="delegatedBy" />
      </label>
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-60">
        {pending ? "Starting…" : "Start service session"}
      </button>
      <FormStatus state={state} />
      {state.ok && state.data ? (
        <ShownOnce
          title={`Give this to “${state.data.client}” as its LATCHKEY_SESSION now: it is shown only this once.`}
          value={`LATCHKEY_SESSION=${state.data.environment}`}
          testId="new-service-session"
        />
      ) : null}
    </form>
  );
}
