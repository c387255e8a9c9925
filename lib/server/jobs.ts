import { randomBytes } from "node:crypto";
import type { Actor } from "../sessions/types";
import { getLogger } from "./log";

/** What runs in the background of this process and reports progress: a sweep, a revocation by filter, a policy's application. */
export type JobKind = "sweep" | "revoke-by-filter" | "apply-policy";

export interface Job<P = Record<string, unknown>, R = unknown> {
  id: string;
  kind: JobKind;
  /** What it does, in words ("Revoke 41,203 sessions of billing"). */
  title: string;
  startedAt: Date;
  by: string;
  progress: P;
  finishedAt: Date | null;
  result: R | null;
  error: string | null;
}

/** The jobs of this process, the most recent last; the oldest finished ones are forgotten past this many. */
const KEPT = 50;
const state = globalThis as typeof globalThis & { latchkeyJobs?: Map<string, Job> };
function jobs(): Map<string, Job> {
  state.latchkeyJobs ??= new Map();
  return state.latchkeyJobs;
}

/**
 * Runs `work` in the background and keeps its progress for the console to poll. `work` reports
 * progress through its argument; its result or failure (logged, never shown) ends the job.
 */
export function startJob<P extends object, R>(
  kind: JobKind,
  title: string,
  actor: Actor,
  initial: P,
  work: (report: (progress: P) => void) => Promise<R>,
  onEnd?: () => void,
): Job<P, R> {
  const job: Job<P, R> = {
    id: randomBytes(9).toString("base64url"),
    kind,
    title,
    startedAt: new Date(),
    by: actor.label ?? actor.id ?? actor.type,
    progress: initial,
    finishedAt: null,
    result: null,
    error: null,
  };
  const all = jobs();
  all.set(job.id, job as Job);
  for (const [id, old] of all) {
    if (all.size <= KEPT) break;
    if (old.finishedAt) all.delete(id);
  }
  void work((progress) => {
    job.progress = progress;
  })
    .then(
      (result) => {
        job.result = result;
      },
      (error: unknown) => {
        getLogger().error({ job: kind, err: error }, "job failed");
        job.error = "It failed; the error was logged.";
      },
    )
    .finally(() => {
      job.finishedAt = new Date();
      onEnd?.();
    });
  return job;
}

export function getJob(id: string): Job | null {
  return jobs().get(id) ?? null;
}

/** The most recent job of a kind. */
export function latestJob(kind: JobKind): Job | null {
  let latest: Job | null = null;
  for (const job of jobs().values()) if (job.kind === kind) latest = job;
  return latest;
}
