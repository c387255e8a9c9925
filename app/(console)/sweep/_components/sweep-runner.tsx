"use client";

import { useActionState, useRef } from "react";
import { FormStatus } from "@/components/form-status";
import { JobProgress } from "@/components/job-progress";
import type { ActionState } from "@/lib/auth/action";
import { startSweepAction } from "../actions";

const INITIAL: ActionState<{ jobId: string }> = { ok: false };

const swept = (progress: Record<string, number>) => (progress.idleExpired ?? 0) + (progress.absoluteExpired ?? 0) + (progress.revoked ?? 0);

/** Asks, with the count, then starts a sweep and follows its progress until it ends. */
export function SweepRunner({ sweepable }: { sweepable: number }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, action, pending] = useActionState(startSweepAction, INITIAL);
  const jobId = state.ok ? state.data?.jobId : undefined;
  const count = sweepable.toLocaleString("en-US");
  return (
    <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <button type="button" onClick={() => dialog.current?.showModal()} disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-50">
        Run sweep now
      </button>
      <dialog ref={dialog} aria-labelledby="sweep-title" className="m-auto rounded-lg p-0 backdrop:bg-slate-900/40">
        <form action={action} onSubmit={() => dialog.current?.close()} className="w-96 max-w-full space-y-3 p-5">
          <h2 id="sweep-title" className="font-semibold">
            Delete {count} dead {sweepable === 1 ? "session" : "sessions"}?
          </h2>
          <p className="text-sm text-slate-600">They ended longer ago than the retention. A small tombstone of each is kept, so the debugger can still say why a token is refused.</p>
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded border border-slate-300 px-3 py-1 text-sm">
              Cancel
            </button>
            <button type="submit" autoFocus className="rounded bg-red-700 px-3 py-1 text-sm text-white">
              Delete them
            </button>
          </div>
        </form>
      </dialog>
      <FormStatus state={state.ok ? { ok: false } : state} />
      {jobId ? (
        <JobProgress
          key={jobId}
          jobId={jobId}
          total={sweepable}
          done={swept}
          describe={(progress, finished) =>
            finished ? `Sweep finished: ${swept(progress).toLocaleString("en-US")} sessions deleted.` : `Sweeping… ${swept(progress).toLocaleString("en-US")} of about ${count} deleted so far.`
          }
        />
      ) : null}
    </div>
  );
}
