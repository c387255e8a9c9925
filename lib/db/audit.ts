import type { AuditEventInput } from "../sessions/types";

/** The stored row of an audit event. */
export function auditEventRow(event: AuditEventInput) {
  return {
    appId: event.appId,
    at: event.at,
    type: event.type,
    actorType: event.actor.type,
    actorId: event.actor.id ?? null,
    actorLabel: event.actor.label ?? null,
    sessionId: event.sessionId ?? null,
    userId: event.userId ?? null,
    details: JSON.stringify(event.details ?? {}),
  };
}
