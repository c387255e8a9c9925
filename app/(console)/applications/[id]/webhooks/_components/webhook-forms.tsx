"use client";

import { useActionState } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { ShownOnce } from "../../../../api-keys/_components/shown-once";
import {
  createWebhookAction,
  deleteWebhookAction,
  resendWebhookDeliveryAction,
  rotateWebhookSecretAction,
  setWebhookDisabledAction,
  testWebhookAction,
} from "../../../webhook-actions";

const INITIAL: ActionState = { ok: false };
const INITIAL_SECRET: ActionState<{ secret: string; url: string }> = { ok: false };

export function CreateWebhookForm({ app, types }: { app: string; types: readonly string[] }) {
  const [state, action, pending] = useActionState(createWebhookAction, INITIAL_SECRET);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-label="Add an endpoint">
      <h2 className="font-medium">Add an endpoint</h2>
      <input type="hidden" name="app" value={app} />
      <label className="block text-sm">
        URL
        <input name="url" type="url" required placeholder="https://app.example.com/webhooks/latchkey" className="mt-1 block w-full max-w-xl rounded border border-slate-300 px-2 py-1" />
        <FieldError state={state} name="url" />
      </label>
      <label className="block text-sm">
        Description (optional)
        <input name="description" maxLength={200} className="mt-1 block w-full max-w-xl rounded border border-slate-300 px-2 py-1" />
      </label>
      <fieldset className="text-sm">
        <legend>Events (none ticked: every event)</legend>
        <div className="mt-1 grid grid-cols-1 gap-1 sm:grid-cols-2">
          {types.map((type) => (
            <label key={type} className="flex items-center gap-2">
              <input type="checkbox" name="eventTypes[]" value={type} />
              <span className="font-mono text-xs">{type}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">
        Add endpoint
      </button>
      <FormStatus state={state} />
      {state.ok && state.data && <ShownOnce title={`Copy the signing secret for ${state.data.url} now: it is shown only this once.`} value={state.data.secret} testId="webhook-secret" />}
    </form>
  );
}

function Hidden({ fields }: { fields: Record<string, string> }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

export function RotateSecretForm({ app, endpointId }: { app: string; endpointId: string }) {
  const [state, action, pending] = useActionState(rotateWebhookSecretAction, INITIAL_SECRET);
  return (
    <form action={action} className="space-y-2" aria-label="Rotate the secret">
      <Hidden fields={{ app, endpointId }} />
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-3 py-1 text-sm">
        Rotate secret
      </button>
      <FormStatus state={state} />
      {state.ok && state.data && <ShownOnce title="Copy the new signing secret now: it is shown only this once." value={state.data.secret} testId="webhook-secret" />}
    </form>
  );
}

export function EndpointActions({ app, endpointId, disabled }: { app: string; endpointId: string; disabled: boolean }) {
  const [toggleState, toggle, toggling] = useActionState(setWebhookDisabledAction, INITIAL);
  const [testState, test, testing] = useActionState(testWebhookAction, INITIAL);
  const [deleteState, remove, deleting] = useActionState(deleteWebhookAction, INITIAL);
  return (
    <div className="flex flex-wrap items-start gap-3">
      <form action={test} aria-label="Send a test event">
        <Hidden fields={{ app, endpointId }} />
        <button type="submit" disabled={testing} className="rounded border border-slate-300 px-3 py-1 text-sm">
          Send test event
        </button>
        <FormStatus state={testState} />
      </form>
      <form action={toggle} aria-label={disabled ? "Enable the endpoint" : "Disable the endpoint"}>
        <Hidden fields={{ app, endpointId, disabled: disabled ? "no" : "yes" }} />
        <ReauthField state={toggleState} />
        <button type="submit" disabled={toggling} className="rounded border border-slate-300 px-3 py-1 text-sm">
          {disabled ? "Enable" : "Disable"}
        </button>
        <FormStatus state={toggleState} />
      </form>
      <form
        action={remove}
        aria-label="Remove the endpoint"
        onSubmit={(event) => {
          if (!window.confirm("Remove this endpoint and its delivery log? Nothing more is sent to it.")) event.preventDefault();
        }}
      >
        <Hidden fields={{ app, endpointId }} />
        <ReauthField state={deleteState} />
        <button type="submit" disabled={deleting} className="rounded bg-red-700 px-3 py-1 text-sm text-white">
          Remove
        </button>
        <FormStatus state={deleteState} />
      </form>
    </div>
  );
}

export function ResendForm({ app, endpointId, deliveryId }: { app: string; endpointId: string; deliveryId: number }) {
  const [state, action, pending] = useActionState(resendWebhookDeliveryAction, INITIAL);
  return (
    <form action={action} aria-label={`Resend delivery ${deliveryId}`}>
      <Hidden fields={{ app, endpointId, deliveryId: String(deliveryId) }} />
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-2 py-0.5 text-xs">
        Resend
      </button>
      <FormStatus state={state} />
    </form>
  );
}
