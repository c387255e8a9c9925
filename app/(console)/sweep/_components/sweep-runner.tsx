"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { FormStatus } from "@/components/form-status";
import type { ActionState } from "@/lib/auth/action";
import { startSweepAction } from "../actions";

interface JobJson {
  id: string;
  swept: { idleExpired: number; absoluteExpired: number; revoked: number };
  finishedAt: string | null;
  result: { total: number } | null;
  error: string | null;
}

const INITIAL: ActionState<{ jobId: string }> = { ok: false };

/** Starts a sweep and follows its progress until it ends. */
export function SweepRunner({ sweepable }: { sweepable: number }) {
  const router = useRouter();
  const [state, action, pending] = useActionState(startSweepAction, INITIAL);
  const [job, setJob] = useState<JobJson | null>(null);
  const jobId = state.data?.jobId;

  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    async function poll() {
      while (!stopped) {
        const response = await fetch("/sweep/status", { cache: "no-store" });
        const body = (await response.json()) as { job: JobJson | null };
        setJob(body.job);
        if (!body.job || body.job.finishedAt) {
          router.refresh();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    void poll();
    return () => {
      stopped = true;
    };
  }, [jobId, router]);

  const swept = job ? job.swept.idleExpired + job.swept.absoluteExpired + job.swept.revoked : 0;
  const done = job?.finishedAt != null;
  return (
    <form action={action} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <button type="submit" disabled={pending || (job !== null && !done)} className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white disabled:opacity-50">
        Run sweep now
      </button>
      <FormStatus state={state.ok ? { ok: false } : state} />
      {job ? (
        <div role="status" className="space-y-1 text-sm">
          <progress max={Math.max(sweepable, swept, 1)} value={swept} className="w-full" aria-label="Sweep progress" />
          <p data-testid="sweep-progress">
            {done
              ? job.error
                ? job.error
                : `Sweep finished: ${job.result?.total ?? swept} sessions deleted.`
              : `Sweeping… ${swept} of about ${sweepable} deleted so far.`}
          </p>
        </div>
      ) : null}
    </form>
  );
}
