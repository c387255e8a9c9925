import { randomBytes } from "node:crypto";
import type { SweepResult } from "../sessions/engine";
import type { Actor, SweepCounts } from "../sessions/types";
import { latestJob, startJob, type Job } from "./jobs";
import { getLatchkey } from "./latchkey";
import { getLogger } from "./log";

/** A sweep running (or last run) in this process, for the console's progress display. */
export type SweepJob = Job<SweepCounts, SweepResult>;

const LEASE = "sweep";
const INSTANCE = `${process.pid}-${randomBytes(4).toString("hex")}`;
const state = globalThis as typeof globalThis & { latchkeySweepTimer?: NodeJS.Timeout };

export function currentSweep(): SweepJob | null {
  return latestJob("sweep") as SweepJob | null;
}

/**
 * Starts a sweep of every application in the background unless one is running here or, under
 * the shared lease, on another instance. Returns the job, or null when another instance holds
 * the lease.
 */
export async function startSweep(actor: Actor, leaseSeconds = 15 * 60): Promise<SweepJob | null> {
  const running = currentSweep();
  if (running && !running.finishedAt) return running;
  const { engine, operator } = getLatchkey();
  if (!(await engine.acquireLease(LEASE, INSTANCE, leaseSeconds))) return null;
  return startJob(
    "sweep",
    "Sweep dead sessions",
    actor,
    { idleExpired: 0, absoluteExpired: 0, revoked: 0 },
    (report) =>
      operator.sweepSessions({}, actor, {
        onBatch: (swept) => {
          report(swept);
          // Long sweeps keep their lease.
          void engine.acquireLease(LEASE, INSTANCE, leaseSeconds);
        },
      }),
    () => void engine.releaseLease(LEASE, INSTANCE),
  );
}

/** Sweeps every `intervalSeconds` in this process; with several instances, the lease lets one sweep at a time. */
export function scheduleSweeps(intervalSeconds: number): void {
  if (state.latchkeySweepTimer) clearInterval(state.latchkeySweepTimer);
  const timer = setInterval(() => {
    startSweep({ type: "system", label: "scheduled sweep" }, Math.max(intervalSeconds, 60)).catch((error: unknown) => {
      getLogger().error({ err: error }, "scheduled sweep could not start");
    });
  }, intervalSeconds * 1000);
  timer.unref();
  state.latchkeySweepTimer = timer;
}
