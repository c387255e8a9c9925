// Which audit events become webhook events, and what they carry. The audit log is the outbox:
// every change writes its audit row in the change's own transaction, so an event exists exactly
// when its change committed. Touches write no audit row and are no event: at one per request
// they would outnumber everything else, and nothing an application does depends on them.

/** The event types an endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  "session.created",
  "session.rotated",
  "session.revoked",
  "session.evicted",
  "session.reuse_detected",
  "user.logged_out_everywhere",
  "user.disabled",
  "session.upgraded",
  "session.tenant_changed",
  "sweep.completed",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The test event an operator sends from the console or the API; no subscription needed. */
export const TEST_EVENT_TYPE = "webhook.test";

/** An audit row as the dispatcher reads it. */
export interface OutboxRow {
  id: number;
  appId: string;
  at: Date;
  type: string;
  actorType: string;
  actorLabel: string | null;
  sessionId: string | null;
  userId: string | null;
  details: string;
}

/** A webhook event: its type, what orders it (its session, else its user), and its body. */
export interface WebhookEvent {
  type: WebhookEventType;
  orderKey: string;
  /** The body sent, as Standard Webhooks suggest: `{ type, timestamp, data }`. */
  payload: { type: WebhookEventType; timestamp: string; data: Record<string, unknown> };
}

function detailsOf(row: OutboxRow): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(row.details);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const AUDIT_TO_WEBHOOK: Record<string, WebhookEventType> = {
  "session.created": "session.created",
  "session.rotated": "session.rotated",
  "session.revoked": "session.revoked",
  "session.ended_by_policy": "session.revoked",
  "session.reuse_detected": "session.reuse_detected",
  "user.sessions_revoked": "user.logged_out_everywhere",
  "user.disabled": "user.disabled",
  "session.guest_upgraded": "session.upgraded",
  "session.tenant_changed": "session.tenant_changed",
  "sessions.swept": "sweep.completed",
};

/** The webhook event an audit row is, or null (an audit row no application needs to hear of). */
export function webhookEventOf(row: OutboxRow): WebhookEvent | null {
  let type = AUDIT_TO_WEBHOOK[row.type];
  if (!type) return null;
  const details = detailsOf(row);
  if (type === "session.revoked" && details.reason === "SESSION_LIMIT") type = "session.evicted";
  const actor = { type: row.actorType, label: row.actorLabel };
  const data: Record<string, unknown> = { eventId: row.id, appId: row.appId, sessionId: row.sessionId, userId: row.userId, actor };
  switch (row.type) {
    case "session.revoked":
      Object.assign(data, { reason: details.reason ?? null, note: details.note ?? null });
      break;
    case "session.ended_by_policy":
      Object.assign(data, { reason: "POLICY", note: null });
      break;
    case "user.sessions_revoked":
      Object.assign(data, { reason: details.reason ?? null, note: details.note ?? null, count: details.revoked ?? null });
      break;
    case "user.disabled":
      Object.assign(data, { reason: details.reason ?? null });
      break;
    case "session.rotated":
      Object.assign(data, { to: details.to ?? null });
      break;
    case "session.created":
      Object.assign(data, { kind: details.kind ?? null, rotatedFrom: details.rotatedFrom ?? null });
      break;
    case "session.tenant_changed":
      Object.assign(data, { tenantId: details.tenantId ?? null });
      break;
    case "sessions.swept": {
      // A sweep of every application is told to each, without the counts of the others.
      const everyApp = details.scope === "all applications";
      Object.assign(data, { appId: everyApp ? null : row.appId, cutoff: details.cutoff ?? null, deleted: everyApp ? null : (details.total ?? null) });
      break;
    }
    default:
      break;
  }
  return {
    type,
    orderKey: row.sessionId ?? row.userId ?? row.appId,
    payload: { type, timestamp: row.at.toISOString(), data },
  };
}

/** Whether an audit row concerns every application (a sweep of all of them), not only its own. */
export function forEveryApplication(row: OutboxRow): boolean {
  return row.type === "sessions.swept" && detailsOf(row).scope === "all applications";
}

/** Whether an endpoint subscribed to `types` (empty: every type) takes an event of `type`. */
export function subscribed(types: readonly string[], type: string): boolean {
  return types.length === 0 || types.includes(type);
}
