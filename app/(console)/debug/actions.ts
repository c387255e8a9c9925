"use server";

import { z } from "zod";
import { consoleAction } from "@/lib/auth/action";
import { getLatchkey } from "@/lib/server/latchkey";
import type { Diagnosis } from "@/lib/sessions/diagnose";

/**
 * Diagnoses a pasted token. A POST, so the token never lands in a URL, a history or an access
 * log; it is parsed and hashed in memory and neither stored nor logged.
 */
export const diagnoseTokenAction = consoleAction<z.ZodType<{ token: string }>, Diagnosis>(
  { roles: ["ADMIN", "SUPPORT"], schema: z.object({ token: z.string().trim().min(1, "paste a token").max(4096, "is too long to be a token") }).strict() },
  async ({ token }) => ({ ok: true, data: await getLatchkey().operator.diagnose({ token }) }),
);
