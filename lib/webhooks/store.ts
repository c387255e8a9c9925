// Webhook endpoints, deliveries and attempts in the database, and the dispatcher's reading of the
// audit log (the outbox).
import type { Database } from "../db/client";
import { auditEventRow } from "../db/audit";
import type { AuditEventInput } from "../sessions/types";
import type { OutboxRow } from "./events";

export interface EndpointRow {
  id: string;
  appId: string;
  url: string;
  eventTypes: string;
  description: string | null;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
}

export interface DeliveryRow {
  id: number;
  endpointId: string;
  appId: string;
  eventId: number | null;
  type: string;
  orderKey: string;
  payload: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface AttemptRow {
  id: number;
  deliveryId: number;
  endpointId: string;
  at: Date;
  status: number | null;
  latencyMs: number;
  error: string | null;
  response: string | null;
}

export type NewDelivery = Omit<DeliveryRow, "id" | "attempts" | "deliveredAt" | "status">;

export function createWebhookStore({ prisma }: Database) {
  const audit = (events: AuditEventInput[]) => events.map(auditEventRow);

  return {
    async insertEndpoint(endpoint: EndpointRow, event: AuditEventInput): Promise<void> {
      await prisma.$transaction([prisma.webhookEndpoint.create({ data: endpoint }), prisma.auditEvent.createMany({ data: audit([event]) })]);
    },

    listEndpoints: (appId: string): Promise<EndpointRow[]> => prisma.webhookEndpoint.findMany({ where: { appId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),

    /** Every endpoint not disabled, of every application: what the dispatcher sends to. */
    enabledEndpoints: (): Promise<EndpointRow[]> => prisma.webhookEndpoint.findMany({ where: { disabledAt: null } }),

    findEndpoint: (appId: string, id: string): Promise<EndpointRow | null> => prisma.webhookEndpoint.findFirst({ where: { appId, id } }),

    async updateEndpoint(appId: string, id: string, data: Partial<Omit<EndpointRow, "id" | "appId" | "createdAt">>, event: AuditEventInput | null): Promise<boolean> {
      const [changed] = await prisma.$transaction([
        prisma.webhookEndpoint.updateMany({ where: { appId, id }, data }),
        ...(event ? [prisma.auditEvent.createMany({ data: audit([event]) })] : []),
      ]);
      return changed.count > 0;
    },

    /** Deletes an endpoint with its deliveries and their attempts. */
    async deleteEndpoint(appId: string, id: string, event: AuditEventInput): Promise<boolean> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.webhookEndpoint.deleteMany({ where: { appId, id } });
        if (count === 0) return false;
        await tx.webhookAttempt.deleteMany({ where: { endpointId: id } });
        await tx.webhookDelivery.deleteMany({ where: { endpointId: id } });
        await tx.auditEvent.createMany({ data: audit([event]) });
        return true;
      });
    },

    /** Where the reader `name` stopped, or null before its first read. */
    async cursor(name: string): Promise<number | null> {
      return (await prisma.outboxCursor.findUnique({ where: { name } }))?.lastEventId ?? null;
    },

    /** Starts the reader `name` after the newest audit event: what happened before webhooks existed is not sent. */
    async startCursor(name: string, at: Date): Promise<number> {
      const newest = await prisma.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
      const lastEventId = newest?.id ?? 0;
      await prisma.outboxCursor.upsert({ where: { name }, create: { name, lastEventId, updatedAt: at }, update: {} });
      return (await prisma.outboxCursor.findUnique({ where: { name } }))!.lastEventId;
    },

    readOutbox: (afterId: number, limit: number): Promise<OutboxRow[]> =>
      prisma.auditEvent.findMany({
        where: { id: { gt: afterId } },
        orderBy: { id: "asc" },
        take: limit,
        select: { id: true, appId: true, at: true, type: true, actorType: true, actorLabel: true, sessionId: true, userId: true, details: true },
      }),

    /** Audit events of one application (and sweeps of every application) after `afterId`: the live stream's source. */
    readAppOutbox: (appId: string, afterId: number, limit: number): Promise<OutboxRow[]> =>
      prisma.auditEvent.findMany({
        where: { id: { gt: afterId }, OR: [{ appId }, { appId: "console", type: "sessions.swept" }] },
        orderBy: { id: "asc" },
        take: limit,
        select: { id: true, appId: true, at: true, type: true, actorType: true, actorLabel: true, sessionId: true, userId: true, details: true },
      }),

    /** The newest audit event's id (0 for none). */
    async newestEventId(): Promise<number> {
      return (await prisma.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0;
    },

    /**
     * Writes the deliveries of the events up to `toId` and moves the cursor there, in one
     * transaction, and only if the cursor is still at `fromId` (no other instance moved it):
     * an event is fanned out once, and never lost between reading it and recording it.
     */
    async fanOut(name: string, fromId: number, toId: number, deliveries: NewDelivery[], at: Date): Promise<boolean> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.outboxCursor.updateMany({ where: { name, lastEventId: fromId }, data: { lastEventId: toId, updatedAt: at } });
        if (count === 0) return false;
        for (let start = 0; start < deliveries.length; start += 500) {
          await tx.webhookDelivery.createMany({ data: deliveries.slice(start, start + 500).map((delivery) => ({ ...delivery, status: "PENDING" })) });
        }
        return true;
      });
    },

    /**
     * The deliveries to send now: due, of an enabled endpoint, and first in line for their
     * endpoint and key (no earlier pending delivery with the same key, due or not), oldest first,
     * at most `perEndpoint` of each endpoint. Deliveries that wait (backing off, or of a disabled
     * endpoint) hold back only their own line.
     */
    async nextInLine(now: Date, endpointIds: string[], limit: number, perEndpoint: number): Promise<Pick<DeliveryRow, "id" | "endpointId" | "orderKey">[]> {
      if (endpointIds.length === 0) return [];
      const due = await prisma.webhookDelivery.findMany({
        where: { status: "PENDING", nextAttemptAt: { lte: now }, endpointId: { in: endpointIds } },
        orderBy: { id: "asc" },
        take: limit,
        select: { id: true, endpointId: true, orderKey: true },
      });
      const first = new Map<string, (typeof due)[number]>();
      for (const delivery of due) if (!first.has(`${delivery.endpointId}\0${delivery.orderKey}`)) first.set(`${delivery.endpointId}\0${delivery.orderKey}`, delivery);
      const candidates = [...first.values()];
      if (candidates.length === 0) return [];
      // Earlier pending deliveries of the same lines (waiting for a retry) come first.
      const earlier = await prisma.webhookDelivery.findMany({
        where: { status: "PENDING", id: { lt: candidates.at(-1)!.id }, OR: candidates.map((candidate) => ({ endpointId: candidate.endpointId, orderKey: candidate.orderKey })) },
        select: { id: true, endpointId: true, orderKey: true },
      });
      const blocked = new Set(
        earlier.filter((row) => row.id < first.get(`${row.endpointId}\0${row.orderKey}`)!.id).map((row) => `${row.endpointId}\0${row.orderKey}`),
      );
      const perEndpointCount = new Map<string, number>();
      return candidates.filter((candidate) => {
        if (blocked.has(`${candidate.endpointId}\0${candidate.orderKey}`)) return false;
        const count = perEndpointCount.get(candidate.endpointId) ?? 0;
        if (count >= perEndpoint) return false;
        perEndpointCount.set(candidate.endpointId, count + 1);
        return true;
      });
    },

    /** Deliveries by id, whole. */
    deliveriesByIds: (ids: number[]): Promise<DeliveryRow[]> => prisma.webhookDelivery.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } }),

    async insertDelivery(delivery: NewDelivery): Promise<DeliveryRow> {
      return prisma.webhookDelivery.create({ data: { ...delivery, status: "PENDING" } });
    },

    /** Records one attempt and its outcome on the delivery (and the endpoint's failing state). */
    async recordAttempt(
      attempt: Omit<AttemptRow, "id">,
      delivery: { status: string; attempts: number; nextAttemptAt: Date; deliveredAt: Date | null },
      endpoint: { failingSince: Date | null; disabledAt?: Date; disabledReason?: string },
      event: AuditEventInput | null,
    ): Promise<void> {
      await prisma.$transaction([
        prisma.webhookAttempt.create({ data: attempt }),
        prisma.webhookDelivery.update({ where: { id: attempt.deliveryId }, data: delivery }),
        prisma.webhookEndpoint.updateMany({ where: { id: attempt.endpointId }, data: endpoint }),
        ...(event ? [prisma.auditEvent.createMany({ data: audit([event]) })] : []),
      ]);
    },

    /** Records successful attempts, each delivery delivered and each endpoint no longer failing: in one transaction. */
    async recordDelivered(attempts: Omit<AttemptRow, "id">[], at: Date): Promise<void> {
      const ids = attempts.map((attempt) => attempt.deliveryId);
      const endpoints = [...new Set(attempts.map((attempt) => attempt.endpointId))];
      await prisma.$transaction([
        prisma.webhookAttempt.createMany({ data: attempts }),
        prisma.webhookDelivery.updateMany({ where: { id: { in: ids } }, data: { status: "DELIVERED", deliveredAt: at, attempts: { increment: 1 } } }),
        prisma.webhookEndpoint.updateMany({ where: { id: { in: endpoints }, failingSince: { not: null } }, data: { failingSince: null } }),
      ]);
    },

    /** An endpoint's deliveries, newest first, with their attempts (newest first). */
    async listDeliveries(appId: string, endpointId: string, limit: number, beforeId?: number): Promise<(DeliveryRow & { attemptLog: AttemptRow[] })[]> {
      const deliveries = await prisma.webhookDelivery.findMany({
        where: { appId, endpointId, ...(beforeId ? { id: { lt: beforeId } } : {}) },
        orderBy: { id: "desc" },
        take: limit,
      });
      const attempts = deliveries.length
        ? await prisma.webhookAttempt.findMany({ where: { deliveryId: { in: deliveries.map((delivery) => delivery.id) } }, orderBy: { id: "desc" } })
        : [];
      return deliveries.map((delivery) => ({ ...delivery, attemptLog: attempts.filter((attempt) => attempt.deliveryId === delivery.id) }));
    },

    findDelivery: (appId: string, id: number): Promise<DeliveryRow | null> => prisma.webhookDelivery.findFirst({ where: { appId, id } }),

    /** Sends a delivery again: pending, due now (its attempts so far stay in the log). */
    async requeueDelivery(appId: string, id: number, at: Date, event: AuditEventInput): Promise<boolean> {
      const [changed] = await prisma.$transaction([
        prisma.webhookDelivery.updateMany({ where: { appId, id }, data: { status: "PENDING", nextAttemptAt: at, createdAt: at } }),
        prisma.auditEvent.createMany({ data: audit([event]) }),
      ]);
      return changed.count > 0;
    },

    /** Counts by status, for tests and the console. */
    async deliveryCounts(endpointId: string): Promise<Record<string, number>> {
      const groups = await prisma.webhookDelivery.groupBy({ by: ["status"], where: { endpointId }, _count: { _all: true } });
      return Object.fromEntries(groups.map((group) => [group.status, group._count._all]));
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
