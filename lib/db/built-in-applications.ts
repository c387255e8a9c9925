import { CONSOLE_APP_ID, type SessionPolicy } from "../sessions/policy";
import type { Database } from "./client";

/**
 * At every start: the console's policy is the environment's, and an application whose policy was
 * never set (the "default" one the migrations create) takes the environment's once. Returns the
 * ids it set.
 */
export async function settleBuiltInPolicies({ prisma }: Database, policy: SessionPolicy, at: Date): Promise<string[]> {
  const settled: string[] = [];
  const consoleApp = await prisma.application.updateMany({ where: { id: CONSOLE_APP_ID }, data: { ...policy, updatedAt: at } });
  if (consoleApp.count > 0) settled.push(CONSOLE_APP_ID);
  const unset = await prisma.application.findMany({ where: { idleTimeoutSeconds: { lte: 0 }, id: { not: CONSOLE_APP_ID } }, select: { id: true } });
  for (const { id } of unset) {
    await prisma.application.updateMany({ where: { id, idleTimeoutSeconds: { lte: 0 } }, data: { ...policy, updatedAt: at } });
    settled.push(id);
  }
  return settled;
}
