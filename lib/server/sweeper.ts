import { randomBytes } from "node:crypto";
import type { SweepCounts } from "../sessions/types";
import type { SweepResult } from "../sessions/engine";
import type { Actor } from "../sessions/types";
import { getLatchkey } from "./latchkey";

/** The sweep running (or last run) in this process, for the console's progress display. */
export interface SweepJob {
  id: string;
  startedAt: Date;
  by: string;
  swept: SweepCounts;
  finishedAt: Date | null;
  result: SweepResult | null;
  error: string | null;
}

const LEASE = "sweep";
const INSTANCE = `${process.pid}-${randomBytes(4).toString("hex")}`;
const state = globalThis as typeof globalThis & { latchkeySweep?: SweepJob; latchkeySweepTimer?: NodeJS.Timeout };

export function currentSweep(): SweepJob | null {
  return state.latchkeySweep ?? null;
}

/**
 * Starts a sweep in the background unless one is running here or, under the shared lease, on
 * another instance. Returns the job, or null when another instance holds the lease.
 */
export async function startSweep(actor: Actor, leaseSeconds = 15 * 60): Promise<SweepJob | null> {
  const running = state.latchkeySweep;
  if (running && !running.finishedAt) return running;
  const { engine } = getLatchkey();
  if (!(await engine.acquireLease(LEASE, INSTANCE, leaseSeconds))) return null;
  const job: SweepJob = {
    id: randomBytes(6).toString("hex"),
    startedAt: new Date(),
    by: actor.label ?? actor.id ?? actor.type,
    swept: { idleExpired: 0, absoluteExpired: 0, revoked: 0 },
    finishedAt: null,
    result: null,
    error: null,
  };
  state.latchkeySweep = job;
  void engine
    .sweepSessions({}, actor, {
      onBatch: (swept) => {
        job.swept = swept;
        // Long sweeps keep their lease.
        void engine.acquireLease(LEASE, INSTANCE, leaseSeconds);
      },
    })
    .then(
      (result) => {
        job.result = result;
        job.swept = { idleExpired: result.idleExpired, absoluteExpired: result.absoluteExpired, revoked: result.revoked };
      },
      (error: unknown) => {
        console.error("latchkey: sweep failed", error);
        job.error = "The sweep failed; the error was logged.";
      },
    )
    .finally(() => {
      job.finishedAt = new Date();
      void engine.releaseLease(LEASE, INSTANCE);
    });
  return job;
}

/** Sweeps every `intervalSeconds` in this process; with several instances, the lease lets one sweep at a time. */
export function scheduleSweeps(intervalSeconds: number): void {
  if (state.latchkeySweepTimer) clearInterval(state.latchkeySweepTimer);
  const timer = setInterval(() => {
    startSweep({ type: "system", label: "scheduled sweep" }, Math.max(intervalSeconds, 60)).catch((error: unknown) => {
      console.error("latchkey: scheduled sweep could not start", error);
    });
  }, intervalSeconds * 1000);
  timer.unref();
  state.latchkeySweepTimer = timer;
}
