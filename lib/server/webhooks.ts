// The webhook dispatcher of this process: every instance runs one, and the lease lets one of
// them dispatch at a time (another takes over within the lease's 15 s if it stops).
import { randomUUID } from "node:crypto";
import { systemClock } from "../sessions/clock";
import { createDispatcher, DEFAULT_RETRY } from "../webhooks/dispatcher";
import { getLatchkey } from "./latchkey";
import { getLogger } from "./log";

const INSTANCE = `webhooks-${process.pid}-${randomUUID().slice(0, 8)}`;

export function startWebhookDispatcher(intervalMs = 250): () => Promise<void> {
  const { engine, env, webhooks } = getLatchkey();
  const dispatcher = createDispatcher({
    store: webhooks.store,
    leases: { acquire: (name, holder, ttl) => engine.acquireLease(name, holder, ttl), release: (name, holder) => engine.releaseLease(name, holder) },
    clock: systemClock,
    openSecret: webhooks.open,
    outbound: webhooks.outbound,
    holder: INSTANCE,
    retry: { ...DEFAULT_RETRY, baseMs: env.webhookRetryBaseSeconds * 1000 },
    onError: (error) => getLogger().error({ reason: (error as Error).message }, "webhooks: dispatch failed"),
  });
  return dispatcher.start(intervalMs);
}
