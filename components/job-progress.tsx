"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

interface JobJson {
  id: string;
  title: string;
  progress: Record<string, number>;
  finishedAt: string | null;
  error: string | null;
}

/**
 * Follows a background job (GET /jobs/{id}) until it ends: a progress bar of `done(progress)`
 * out of `total`, and the text `describe` makes of it. Refreshes the page once it is over.
 */
export function JobProgress({
  jobId,
  total,
  done,
  describe,
}: {
  jobId: string;
  total: number;
  done: (progress: Record<string, number>) => number;
  describe: (progress: Record<string, number>, finished: boolean) => string;
}) {
  const router = useRouter();
  const [job, setJob] = useState<JobJson | null>(null);
  useEffect(() => {
    let stopped = false;
    async function poll() {
      while (!stopped) {
        const response = await fetch(`/jobs/${encodeURIComponent(jobId)}`, { cache: "no-store" });
        if (!response.ok) return;
        const body = (await response.json()) as { job: JobJson };
        setJob(body.job);
        if (body.job.finishedAt) {
          router.refresh();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    }
    void poll();
    return () => {
      stopped = true;
    };
  }, [jobId, router]);
  if (!job) return <p className="text-sm text-slate-600">Starting…</p>;
  const finished = job.finishedAt !== null;
  const count = done(job.progress);
  return (
    <div role="status" className="space-y-1 text-sm" data-testid="job-progress" data-finished={finished}>
      <progress max={Math.max(total, count, 1)} value={finished ? Math.max(total, count, 1) : count} className="w-full" aria-label={job.title} />
      <p>{job.error ?? describe(job.progress, finished)}</p>
    </div>
  );
}
