"use client";

import { useActionState, useEffect, useRef } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import { JobProgress } from "@/components/job-progress";
import type { ActionState } from "@/lib/auth/action";
import { MANUAL_REVOKE_REASONS } from "@/lib/sessions/types";
import { countMatchingAction, revokeMatchingAction } from "../actions";

const COUNTED: ActionState<{ matched: number }> = { ok: false };
const STARTED: ActionState<{ jobId: string; matched: number }> = { ok: false };

/**
 * "Revoke all N matching": the incident-response form of bulk revoke. Counts the live sessions
 * the current filter matches, asks for a reason, then revokes them in the background with progress.
 */
export function RevokeMatching({ query }: { query: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [counted, count, counting] = useActionState(countMatchingAction, COUNTED);
  const [started, start, starting] = useActionState(revokeMatchingAction, STARTED);
  const matched = counted.ok ? (counted.data?.matched ?? 0) : null;
  useEffect(() => {
    if (started.ok) dialog.current?.close();
  }, [started]);
  return (
    <div className="space-y-2">
      <form
        action={(data) => {
          count(data);
          dialog.current?.showModal();
        }}
      >
        <input type="hidden" name="query" value={query} />
        <button type="submit" disabled={counting} className="rounded border border-red-300 bg-white px-3 py-1 text-sm text-red-800">
          Revoke all matching…
        </button>
      </form>
      {started.ok && started.data ? (
        <JobProgress
          jobId={started.data.jobId}
          total={started.data.matched}
          done={(progress) => progress.revoked ?? 0}
          describe={(progress, finished) =>
            finished
              ? `Revoked ${(progress.revoked ?? 0).toLocaleString("en-US")} of ${(progress.matched ?? 0).toLocaleString("en-US")} matching sessions.`
              : `Revoking… ${(progress.revoked ?? 0).toLocaleString("en-US")} of ${(progress.matched ?? 0).toLocaleString("en-US")} so far.`
          }
        />
      ) : null}
      <dialog ref={dialog} aria-labelledby="revoke-matching-title" className="m-auto rounded-lg p-0 backdrop:bg-slate-900/40">
        <form action={start} className="w-[28rem] max-w-full space-y-3 p-5">
          <h2 id="revoke-matching-title" className="font-semibold">
            {matched === null ? "Counting the matching sessions…" : `Revoke all ${matched.toLocaleString("en-US")} matching live sessions?`}
          </h2>
          {counted.error ? <FormStatus state={counted} /> : null}
          <p className="text-sm text-slate-600">
            Every live session the current filter matches ends at once, in batches; the filter, the reason and the count go to the audit log.
          </p>
          <input type="hidden" name="query" value={query} />
          <label className="block text-sm">
            Reason code
            <select name="reason" defaultValue="REVOKED" className="mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1">
              {MANUAL_REVOKE_REASONS.map((reason) => (
                <option key={reason}>{reason}</option>
              ))}
            </select>
          </label>
          <label className="block text-sm">
            Reason or ticket
            <input name="note" required maxLength={500} className="mt-1 block w-full rounded border border-slate-300 px-2 py-1" />
            <FieldError state={started} name="note" />
          </label>
          <ReauthField state={started} />
          {started.error ? <FormStatus state={started} /> : null}
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded border border-slate-300 px-3 py-1 text-sm">
              Cancel
            </button>
            <button type="submit" disabled={starting || !matched} className="rounded bg-red-700 px-3 py-1 text-sm text-white disabled:opacity-50">
              Revoke {matched === null ? "" : matched.toLocaleString("en-US")}
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
