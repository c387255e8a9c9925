"use client";

import { useActionState } from "react";
import type { ActionState } from "@/lib/auth/action";
import { revokeApiKeyAction } from "../actions";

const INITIAL: ActionState = { ok: false };

export function RevokeKeyButton({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(revokeApiKeyAction, INITIAL);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Revoke the API key “${name}”? Applications using it will be refused at once.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} className="rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 hover:bg-red-50">
        Revoke
      </button>
      {state.error ? <span className="ml-2 text-xs text-red-700">{state.error}</span> : null}
    </form>
  );
}
