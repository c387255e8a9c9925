import type { AuditEventView } from "@/lib/sessions/types";
import { formatExact } from "./format";

/** Audit events, newest first, each with its actor, its application (when `appNames` is given) and details (rendered as text). */
export function AuditTimeline({ events, empty = "No events.", appNames }: { events: AuditEventView[]; empty?: string; appNames?: Map<string, string> }) {
  if (events.length === 0) return <p className="text-sm text-slate-500">{empty}</p>;
  return (
    <ol className="space-y-2" aria-label="Audit events">
      {events.map((event) => (
        <li key={event.id} className="rounded border border-slate-200 bg-white p-3 text-sm" data-event-type={event.type}>
          <div className="flex flex-wrap items-baseline gap-x-3">
            <span className="font-mono text-xs text-slate-500">{formatExact(event.at.toISOString())}</span>
            <span className="font-medium">{event.type}</span>
            {appNames ? (
              <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-700" data-testid="event-app">
                {appNames.get(event.appId) ?? event.appId}
              </span>
            ) : null}
            <span className="text-slate-600">
              by {event.actorType}
              {event.actorLabel || event.actorId ? `: ${event.actorLabel ?? event.actorId}` : ""}
            </span>
          </div>
          {Object.keys(event.details).length > 0 ? (
            <pre className="mt-1 overflow-x-auto whitespace-pre-wrap break-all text-xs text-slate-600">{JSON.stringify(event.details)}</pre>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
