"use client";

import { useActionState } from "react";
import { FormStatus } from "@/components/form-status";
import { JobProgress } from "@/components/job-progress";
import type { ActionState } from "@/lib/auth/action";
import { startSweepAction } from "../actions";

const INITIAL: ActionState<{ jobId: string }> = { ok: false };

const swept = (progress: Record<string, number>) => (progress.idleExpired ?? 0) + (progress.absoluteExpired ?? 0) + (progress.revoked ?? 0);

/** Starts a sweep and follows its progress until it ends. */
export function SweepRunner({ sweepable }: { sweepable: number }) {
  const [state, action, pending] = useActionState(startSweepAction, INITIAL);
  const jobId = state.ok ? state.data?.jobId : undefined;
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <button type="submit" disabled={pending} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-50">
        Run sweep now
      </button>
      <FormStatus state={state.ok ? { ok: false } : state} />
      {jobId ? (
        <JobProgress
          key={jobId}
          jobId={jobId}
          total={sweepable}
          done={swept}
          describe={(progress, finished) =>
            finished ? `Sweep finished: ${swept(progress)} sessions deleted.` : `Sweeping… ${swept(progress)} of about ${sweepable} deleted so far.`
          }
        />
      ) : null}
    </form>
  );
}
