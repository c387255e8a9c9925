// The webhook dispatcher: reads the audit log (the outbox) after its cursor, turns the events into
// deliveries for every subscribed endpoint (in the transaction that moves the cursor), and sends
// due deliveries, signed as Standard Webhooks specify, retrying with exponential backoff and
// jitter. One instance at a time dispatches (a lease); deliveries of one endpoint with one order
// key (a session, else a user) go out one after another, in the order of their events.
import { Webhook } from "standardwebhooks";
import type { Clock } from "../sessions/clock";
import type { AuditEventInput } from "../sessions/types";
import { forEveryApplication, subscribed, webhookEventOf, type OutboxRow } from "./events";
import { postWebhook, type OutboundPolicy } from "./outbound";
import type { AttemptRow, DeliveryRow, EndpointRow, NewDelivery, WebhookStore } from "./store";

export const OUTBOX_READER = "webhooks";
const LEASE = "webhook-dispatcher";
const LEASE_SECONDS = 15;
/** At most this many deliveries of one endpoint in a round, and in flight at once. */
const PER_ENDPOINT_PER_ROUND = 200;
const PER_ENDPOINT_IN_FLIGHT = 2;
/** No new request is started after this long in a round (the rest wait for the next round). */
const ROUND_BUDGET_MS = 2_000;

export interface RetryPolicy {
  /** The first retry's wait; each later one doubles it (±20 % jitter), up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** A delivery still failing this long after its event is given up (FAILED). */
  giveUpAfterMs: number;
  /** An endpoint failing every attempt for this long is disabled. */
  disableAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 60 * 60_000, giveUpAfterMs: 24 * 3_600_000, disableAfterMs: 3 * 24 * 3_600_000 };

export interface DispatcherOptions {
  store: WebhookStore;
  leases: { acquire(name: string, holder: string, ttlSeconds: number): Promise<boolean>; release(name: string, holder: string): Promise<void> };
  clock: Clock;
  /** Opens a sealed endpoint secret. */
  openSecret: (sealed: string) => string;
  outbound: OutboundPolicy;
  /** This instance's name, for the lease. */
  holder: string;
  retry?: RetryPolicy;
  /** How long a hole in the audit log's ids is waited for (a transaction still committing) before it is passed over (default 30 s). */
  gapWaitMs?: number;
  batchSize?: number;
  concurrency?: number;
  random?: () => number;
  onError?: (error: unknown) => void;
}

/** The wait before the `attempts`-th retry: exponential, capped, with ±20 % jitter. */
export function backoffMs(attempts: number, retry: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Standard Webhooks headers for a message, signed with every secret given (the current one, and during a rotation's overlap the previous one). */
export function signedHeaders(messageId: string, at: Date, payload: string, secrets: string[]): Record<string, string> {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(messageId, at, payload)).join(" "),
  };
}

export function messageIdOf(delivery: Pick<DeliveryRow, "eventId" | "id">): string {
  return delivery.eventId === null ? `msg_test_${delivery.id}` : `msg_${delivery.eventId}`;
}

export function createDispatcher(options: DispatcherOptions) {
  const { store, clock, outbound } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const gapWaitMs = options.gapWaitMs ?? 30_000;
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 8;
  const random = options.random ?? Math.random;
  const gapSeen = new Map<number, number>();

  /** Turns audit events after the cursor into deliveries; returns how many events it read. */
  async function fanOut(endpoints: EndpointRow[]): Promise<number> {
    const now = clock.now();
    const from = (await store.cursor(OUTBOX_READER)) ?? (await store.startCursor(OUTBOX_READER, now));
    const rows = await store.readOutbox(from, batchSize);
    const taken: OutboxRow[] = [];
    let upTo = from;
    for (const row of rows) {
      if (row.id !== upTo + 1) {
        // A lower id may belong to a transaction that has not committed yet: wait for it a while.
        const firstSeen = gapSeen.get(upTo + 1) ?? now.getTime();
        gapSeen.set(upTo + 1, firstSeen);
        if (now.getTime() - firstSeen < gapWaitMs) break;
        gapSeen.delete(upTo + 1);
      }
      taken.push(row);
      upTo = row.id;
    }
    if (upTo === from) return 0;
    const byApp = new Map<string, EndpointRow[]>();
    for (const endpoint of endpoints) byApp.set(endpoint.appId, [...(byApp.get(endpoint.appId) ?? []), endpoint]);
    const deliveries: NewDelivery[] = [];
    for (const row of taken) {
      const event = webhookEventOf(row);
      if (!event) continue;
      const targets = forEveryApplication(row) ? endpoints : (byApp.get(row.appId) ?? []);
      for (const endpoint of targets) {
        if (!subscribed(JSON.parse(endpoint.eventTypes) as string[], event.type)) continue;
        deliveries.push({ endpointId: endpoint.id, appId: endpoint.appId, eventId: row.id, type: event.type, orderKey: event.orderKey, payload: JSON.stringify(event.payload), nextAttemptAt: now, createdAt: now });
      }
    }
    await store.fanOut(OUTBOX_READER, from, upTo, deliveries, now);
    return taken.length;
  }

  async function attempt(delivery: DeliveryRow, endpoint: EndpointRow, successes: Omit<AttemptRow, "id">[]): Promise<void> {
    const at = clock.now();
    const secrets = [options.openSecret(endpoint.secret)];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) secrets.push(options.openSecret(endpoint.previousSecret));
    const headers = signedHeaders(messageIdOf(delivery), at, delivery.payload, secrets);
    const result = await postWebhook(new URL(endpoint.url), delivery.payload, headers, outbound);
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const after = clock.now();
    const row = { deliveryId: delivery.id, endpointId: endpoint.id, at: after, status: result.status, latencyMs: result.latencyMs, error: result.error, response: result.response };
    // Successes are recorded together at the end of the round: a few statements for all of them.
    if (ok) return void successes.push(row);
    const attempts = delivery.attempts + 1;
    const failingSince = endpoint.failingSince ?? after;
    const disable = failingSince !== null && after.getTime() - failingSince.getTime() >= retry.disableAfterMs;
    const event: AuditEventInput | null = disable
      ? {
          appId: endpoint.appId,
          at: after,
          type: "webhook.endpoint_disabled",
          actor: { type: "system", label: "webhooks" },
          details: { endpointId: endpoint.id, url: endpoint.url, failingSince: failingSince.toISOString(), lastStatus: result.status, lastError: result.error },
        }
      : null;
    await store.recordAttempt(
      row,
      {
        status: after.getTime() - delivery.createdAt.getTime() >= retry.giveUpAfterMs ? "FAILED" : "PENDING",
        attempts,
        nextAttemptAt: new Date(after.getTime() + backoffMs(attempts, retry, random)),
        deliveredAt: null,
      },
      { failingSince, ...(disable ? { disabledAt: after, disabledReason: `every delivery failed since ${failingSince.toISOString()}` } : {}) },
      event,
    );
  }

  /** Sends every due delivery that is first in line for its endpoint and key; returns how many it tried. */
  async function deliverDue(endpoints: EndpointRow[]): Promise<number> {
    const now = clock.now();
    const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
    const dueIds = (await store.nextInLine(now, [...byId.keys()], batchSize * 4, PER_ENDPOINT_PER_ROUND)).map((delivery) => delivery.id);
    const due = dueIds.length > 0 ? await store.deliveriesByIds(dueIds) : [];
    // At most `concurrency` requests at once and two per endpoint, and no new one after the round's
    // budget: a slow receiver delays the others by one request's timeout at worst, never more.
    const successes: Omit<AttemptRow, "id">[] = [];
    const waiting = [...due];
    const inFlight = new Map<string, number>();
    const running = new Set<Promise<void>>();
    const stopTaking = performance.now() + ROUND_BUDGET_MS;
    while (waiting.length > 0 && performance.now() < stopTaking) {
      const index = running.size < concurrency ? waiting.findIndex((delivery) => (inFlight.get(delivery.endpointId) ?? 0) < PER_ENDPOINT_IN_FLIGHT) : -1;
      if (index < 0) {
        if (running.size === 0) break;
        await Promise.race(running);
        continue;
      }
      // A long round keeps its lease, or stops sending once it lost it.
      if (!(await holdLease())) break;
      const [delivery] = waiting.splice(index, 1);
      inFlight.set(delivery!.endpointId, (inFlight.get(delivery!.endpointId) ?? 0) + 1);
      const sending: Promise<void> = attempt(delivery!, byId.get(delivery!.endpointId)!, successes)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          inFlight.set(delivery!.endpointId, inFlight.get(delivery!.endpointId)! - 1);
          running.delete(sending);
        });
      running.add(sending);
    }
    await Promise.all(running);
    if (successes.length > 0) await store.recordDelivered(successes, clock.now());
    return due.length;
  }

  let running = false;
  let leaseRenewAt = 0;

  /** Takes or keeps the lease; renewed once half of it has run, not at every round (one write in 7.5 s). */
  async function holdLease(): Promise<boolean> {
    const now = clock.now().getTime();
    if (now < leaseRenewAt) return true;
    if (!(await options.leases.acquire(LEASE, options.holder, LEASE_SECONDS))) {
      leaseRenewAt = 0;
      return false;
    }
    leaseRenewAt = now + (LEASE_SECONDS * 1000) / 2;
    return true;
  }

  return {
    /** One round: take (or keep) the lease, fan out new events, send what is due. */
    async tick(): Promise<{ leader: boolean; read: number; attempted: number }> {
      if (running) return { leader: false, read: 0, attempted: 0 };
      running = true;
      try {
        if (!(await holdLease())) return { leader: false, read: 0, attempted: 0 };
        let endpoints = await store.enabledEndpoints();
        let read = 0;
        for (let round = 0; round < 20; round++) {
          const count = await fanOut(endpoints);
          read += count;
          if (count < batchSize) break;
        }
        endpoints = await store.enabledEndpoints();
        return { leader: true, read, attempted: await deliverDue(endpoints) };
      } finally {
        running = false;
      }
    },

    /** Ticks every `intervalMs` until stopped; gives up the lease when stopped. */
    start(intervalMs: number): () => Promise<void> {
      let stopped = false;
      let timer: NodeJS.Timeout | null = null;
      const loop = async () => {
        if (stopped) return;
        try {
          await this.tick();
        } catch (error) {
          options.onError?.(error);
        }
        if (!stopped) timer = setTimeout(loop, intervalMs);
        timer?.unref?.();
      };
      timer = setTimeout(loop, 0);
      return async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        leaseRenewAt = 0;
        await options.leases.release(LEASE, options.holder);
      };
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
