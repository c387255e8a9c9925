"use server";

import { z } from "zod";
import { consoleAction, type ActionState } from "@/lib/auth/action";
import { startSweep } from "@/lib/server/sweeper";

export const startSweepAction = consoleAction(
  { roles: ["ADMIN"], schema: z.object({}).strict() },
  async (_input, session): Promise<ActionState<{ jobId: string }>> => {
    const job = await startSweep(session.actor);
    if (!job) return { ok: false, error: "Another Latchkey instance is sweeping right now; try again when it is done." };
    return { ok: true, message: "Sweep started.", data: { jobId: job.id } };
  },
);
