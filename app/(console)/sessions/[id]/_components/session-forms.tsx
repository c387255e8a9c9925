"use client";

import { useActionState } from "react";
import { FieldError, FormStatus } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { RevokeReasonFields } from "@/components/revoke-reason-fields";
import { relabelSessionAction, revokeSessionAction, switchTenantAction } from "../../actions";

const INITIAL: ActionState = { ok: false };
const INPUT = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1";

export function RevokeForm({ sessionId }: { sessionId: string }) {
  const [state, action, pending] = useActionState(revokeSessionAction, INITIAL);
  return (
    <form action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-label="Revoke this session">
      <h2 className="font-medium">Revoke</h2>
      <input type="hidden" name="sessionId" value={sessionId} />
      <RevokeReasonFields state={state} />
      <button type="submit" disabled={pending} className="rounded bg-red-700 px-3 py-1.5 text-sm text-white">
        Revoke session
      </button>
      <FormStatus state={state} />
    </form>
  );
}

export function RelabelForm({ sessionId, label }: { sessionId: string; label: string }) {
  const [state, action, pending] = useActionState(relabelSessionAction, INITIAL);
  return (
    <form action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-label="Rename the device">
      <h2 className="font-medium">Device name</h2>
      <input type="hidden" name="sessionId" value={sessionId} />
      <label className="block text-sm">
        Label
        <input name="label" required maxLength={100} defaultValue={label} className={INPUT} />
        <FieldError state={state} name="label" />
      </label>
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-3 py-1.5 text-sm">
        Rename
      </button>
      <FormStatus state={state} />
    </form>
  );
}

export function TenantForm({ sessionId, tenantId }: { sessionId: string; tenantId: string }) {
  const [state, action, pending] = useActionState(switchTenantAction, INITIAL);
  return (
    <form action={action} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" aria-label="Switch tenant">
      <h2 className="font-medium">Tenant</h2>
      <input type="hidden" name="sessionId" value={sessionId} />
      <label className="block text-sm">
        Tenant id
        <input name="tenantId" required maxLength={200} defaultValue={tenantId} className={INPUT} />
        <FieldError state={state} name="tenantId" />
      </label>
      <button type="submit" disabled={pending} className="rounded border border-slate-300 px-3 py-1.5 text-sm">
        Switch tenant
      </button>
      <FormStatus state={state} />
    </form>
  );
}
