// Managing an application's webhook endpoints: validated, audited, the secret shown once.
import { randomBytes, randomUUID } from "node:crypto";
import type { WebhookDeliveryJson, WebhookEndpointJson } from "@latchkey/client";
import { z } from "zod";
import type { Clock } from "../sessions/clock";
import { ErrorCode, SessionError } from "../sessions/errors";
import type { Actor, AuditEventInput } from "../sessions/types";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES } from "./events";
import { checkWebhookUrl, WebhookUrlError, type OutboundPolicy } from "./outbound";
import type { AttemptRow, DeliveryRow, EndpointRow, WebhookStore } from "./store";

/** How long a rotated-out secret keeps signing beside the new one, by default. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 3600;

const eventTypes = z.array(z.enum(WEBHOOK_EVENT_TYPES)).max(WEBHOOK_EVENT_TYPES.length).default([]);
const description = z.string().trim().max(200, "must be at most 200 characters").nullish();
const url = z.string().trim().min(1).max(2048, "must be at most 2,048 characters");

export const createEndpointSchema = z.object({ url, eventTypes, description }).strict();
export const updateEndpointSchema = z
  .object({ url: url.optional(), eventTypes: eventTypes.optional(), description, disabled: z.boolean().optional() })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), "name something to change: url, eventTypes, description or disabled");
export const rotateSecretSchema = z.object({ overlapSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(DEFAULT_ROTATION_OVERLAP_SECONDS) }).strict();

/** An endpoint as the API and console show it (never its secret), and a delivery with its attempts: the client package's shapes. */
export type EndpointView = WebhookEndpointJson;
export type DeliveryView = WebhookDeliveryJson;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function endpointView(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    appId: row.appId,
    url: row.url,
    eventTypes: JSON.parse(row.eventTypes) as string[],
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    failingSince: iso(row.failingSince),
    disabledAt: iso(row.disabledAt),
    disabledReason: row.disabledReason,
    previousSecretExpiresAt: iso(row.previousSecretExpiresAt),
  };
}

function deliveryView(row: DeliveryRow & { attemptLog: AttemptRow[] }): DeliveryView {
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.type,
    status: row.status as DeliveryView["status"],
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: iso(row.deliveredAt),
    nextAttemptAt: row.status === "PENDING" ? row.nextAttemptAt.toISOString() : null,
    payload: JSON.parse(row.payload) as unknown,
    attemptLog: row.attemptLog.map((attempt) => ({ at: attempt.at.toISOString(), status: attempt.status, latencyMs: attempt.latencyMs, error: attempt.error, response: attempt.response })),
  };
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ field: issue.path.join(".") || "body", message: issue.message }));
  throw new SessionError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ")}.`, { issues });
}

function notFound(): SessionError {
  return new SessionError(ErrorCode.WEBHOOK_NOT_FOUND, "No such webhook endpoint in this application.");
}

/** A new signing secret, as Standard Webhooks write them: whsec_ and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export interface EndpointManagerOptions {
  store: WebhookStore;
  clock: Clock;
  seal: (secret: string) => string;
  outbound: Pick<OutboundPolicy, "allow" | "resolver">;
}

/** An application's webhook endpoints, for ADMIN in the console and over the admin API. */
export function createEndpointManager({ store, clock, seal, outbound }: EndpointManagerOptions) {
  async function checkedUrl(raw: string): Promise<string> {
    try {
      return (await checkWebhookUrl(raw, outbound)).toString();
    } catch (error) {
      if (error instanceof WebhookUrlError) throw new SessionError(ErrorCode.VALIDATION_FAILED, `Invalid input: url: ${error.message}`, { issues: [{ field: "url", message: error.message }] });
      throw error;
    }
  }
  const audit = (appId: string, type: string, actor: Actor, details: Record<string, unknown>): AuditEventInput => ({ appId, at: clock.now(), type, actor, details });

  async function existing(appId: string, id: string): Promise<EndpointRow> {
    const found = await store.findEndpoint(appId, id);
    if (!found) throw notFound();
    return found;
  }

  return {
    list: async (appId: string): Promise<EndpointView[]> => (await store.listEndpoints(appId)).map(endpointView),

    get: async (appId: string, id: string): Promise<EndpointView> => endpointView(await existing(appId, id)),

    /** Creates an endpoint; its secret is in the answer, and only there. */
    async create(appId: string, input: unknown, actor: Actor): Promise<{ endpoint: EndpointView; secret: string }> {
      const valid = parse(createEndpointSchema, input);
      const now = clock.now();
      const secret = newWebhookSecret();
      const row: EndpointRow = {
        id: `whe_${randomUUID().replaceAll("-", "")}`,
        appId,
        url: await checkedUrl(valid.url),
        eventTypes: JSON.stringify(valid.eventTypes),
        description: valid.description ?? null,
        secret: seal(secret),
        previousSecret: null,
        previousSecretExpiresAt: null,
        createdAt: now,
        updatedAt: now,
        failingSince: null,
        disabledAt: null,
        disabledReason: null,
      };
      await store.insertEndpoint(row, audit(appId, "webhook.endpoint_created", actor, { endpointId: row.id, url: row.url, eventTypes: valid.eventTypes }));
      return { endpoint: endpointView(row), secret };
    },

    async update(appId: string, id: string, input: unknown, actor: Actor): Promise<EndpointView> {
      const valid = parse(updateEndpointSchema, input);
      const before = await existing(appId, id);
      const now = clock.now();
      const data: Partial<EndpointRow> = { updatedAt: now };
      if (valid.url !== undefined) data.url = await checkedUrl(valid.url);
      if (valid.eventTypes !== undefined) data.eventTypes = JSON.stringify(valid.eventTypes);
      if (valid.description !== undefined) data.description = valid.description ?? null;
      if (valid.disabled === true && !before.disabledAt) Object.assign(data, { disabledAt: now, disabledReason: "disabled by hand" });
      if (valid.disabled === false) Object.assign(data, { disabledAt: null, disabledReason: null, failingSince: null });
      const changed = Object.keys(valid).filter((key) => valid[key as keyof typeof valid] !== undefined);
      await store.updateEndpoint(appId, id, data, audit(appId, "webhook.endpoint_updated", actor, { endpointId: id, changed }));
      return endpointView(await existing(appId, id));
    },

    /** A new secret, shown once; the previous one keeps signing beside it for `overlapSeconds`. */
    async rotateSecret(appId: string, id: string, input: unknown, actor: Actor): Promise<{ endpoint: EndpointView; secret: string }> {
      const { overlapSeconds } = parse(rotateSecretSchema, input ?? {});
      const before = await existing(appId, id);
      const now = clock.now();
      const secret = newWebhookSecret();
      const until = new Date(now.getTime() + overlapSeconds * 1000);
      await store.updateEndpoint(
        appId,
        id,
        { secret: seal(secret), previousSecret: overlapSeconds > 0 ? before.secret : null, previousSecretExpiresAt: overlapSeconds > 0 ? until : null, updatedAt: now },
        audit(appId, "webhook.secret_rotated", actor, { endpointId: id, previousValidUntil: overlapSeconds > 0 ? until.toISOString() : null }),
      );
      return { endpoint: endpointView(await existing(appId, id)), secret };
    },

    async remove(appId: string, id: string, actor: Actor): Promise<void> {
      const before = await existing(appId, id);
      await store.deleteEndpoint(appId, id, audit(appId, "webhook.endpoint_deleted", actor, { endpointId: id, url: before.url }));
    },

    /** Queues a `webhook.test` event for the endpoint (sent by the dispatcher within a moment). */
    async sendTest(appId: string, id: string, actor: Actor): Promise<DeliveryView> {
      const endpoint = await existing(appId, id);
      if (endpoint.disabledAt) throw new SessionError(ErrorCode.VALIDATION_FAILED, "The endpoint is disabled: enable it first, then send a test event.");
      const now = clock.now();
      const payload = { type: TEST_EVENT_TYPE, timestamp: now.toISOString(), data: { appId, endpointId: endpoint.id, requestedBy: actor.label ?? actor.type } };
      const row = await store.insertDelivery({ endpointId: id, appId, eventId: null, type: TEST_EVENT_TYPE, orderKey: `test:${id}`, payload: JSON.stringify(payload), nextAttemptAt: now, createdAt: now });
      return deliveryView({ ...row, attemptLog: [] });
    },

    async deliveries(appId: string, id: string, options: { limit?: number; beforeId?: number } = {}): Promise<DeliveryView[]> {
      await existing(appId, id);
      return (await store.listDeliveries(appId, id, Math.min(Math.max(options.limit ?? 50, 1), 200), options.beforeId)).map(deliveryView);
    },

    /** Sends a delivery again, now: a missed event, or one given up. */
    async resend(appId: string, deliveryId: number, actor: Actor): Promise<void> {
      const delivery = await store.findDelivery(appId, deliveryId);
      if (!delivery) throw new SessionError(ErrorCode.WEBHOOK_NOT_FOUND, "No such webhook delivery in this application.");
      if ((await existing(appId, delivery.endpointId)).disabledAt) throw new SessionError(ErrorCode.VALIDATION_FAILED, "The endpoint is disabled: enable it first, then resend.");
      await store.requeueDelivery(appId, deliveryId, clock.now(), audit(appId, "webhook.delivery_resent", actor, { endpointId: delivery.endpointId, deliveryId, eventId: delivery.eventId }));
    },
  };
}

export type EndpointManager = ReturnType<typeof createEndpointManager>;
