"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { createApplicationAction } from "../actions";

const INITIAL: ActionState<{ id: string }> = { ok: false };

export function CreateApplicationForm() {
  const [state, action, pending] = useActionState(createApplicationAction, INITIAL);
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-label="New application">
      <h2 className="font-medium">New application</h2>
      <label className="block text-sm">
        Name
        <input name="name" required maxLength={64} className="mt-1 block w-full max-w-sm rounded border border-slate-300 px-2 py-1" />
        <FieldError state={state} name="name" />
      </label>
      <ReauthField state={state} />
      <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-60">
        Create application
      </button>
      <FormStatus state={state} />
      {state.ok && state.data ? (
        <p className="text-sm">
          <Link href={`/applications/${encodeURIComponent(state.data.id)}`} className="underline">
            Set its policy
          </Link>{" "}
          or{" "}
          <Link href="/api-keys" className="underline">
            give it an API key
          </Link>
          .
        </p>
      ) : null}
    </form>
  );
}
