import Link from "next/link";
import type { ReactNode } from "react";
import { userHref } from "@/lib/console/apps";
import { userKey } from "@/lib/sessions/types";
import type { AuditEventView } from "@/lib/sessions/types";
import { durationWords, reasonWords } from "@/lib/sessions/words";
import { formatExact, labelledDetails } from "./format";

/** Events that deserve attention: marked in timelines, and kept among the overview's recent ones. */
export const SECURITY_EVENTS = new Set(["session.reuse_detected", "user.disabled", "application.disabled"]);

interface Names {
  appNames?: Map<string, string>;
  /** Emails by userKey(appId, userId), to name people. */
  emails?: Map<string, string>;
}

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const count = (value: unknown): number => (typeof value === "number" ? value : 0);

function actorOf(event: AuditEventView): string {
  const label = event.actorLabel ?? event.actorId;
  if (event.actorType === "api_key") return `API key ${label ?? "(unknown)"}`;
  if (event.actorType === "system") return `Latchkey (${(label ?? "system").replaceAll("-", " ")})`;
  return label ?? "someone";
}

/** What one event did, as a sentence naming whose session, with links to the user and the session. */
function sentence(event: AuditEventView, { emails }: Names): ReactNode {
  const d = event.details;
  const person = event.userId ? (
    <Link href={userHref(event.appId, event.userId)} className="underline">
      {emails?.get(userKey(event.appId, event.userId)) ?? event.userId}
    </Link>
  ) : (
    "someone"
  );
  const session = (id: string | null, label = "session") =>
    id ? (
      <Link href={`/sessions/${encodeURIComponent(id)}`} className="font-mono text-xs underline">
        {label === "session" ? id : label}
      </Link>
    ) : null;
  const their = <>{person}&rsquo;s session {session(event.sessionId)}</>;
  switch (event.type) {
    case "session.created":
      return text(d.rotatedFrom) ? (
        <>issued a newer token for {person}: session {session(event.sessionId)} replaces {session(text(d.rotatedFrom))}</>
      ) : (
        <>
          started a {text(d.kind) ?? "user"} session for {person}: {session(event.sessionId)}
          {text(d.ip) ? ` from ${text(d.ip)}` : ""}
          {text(d.deviceLabel) ? ` (${text(d.deviceLabel)})` : ""}
        </>
      );
    case "session.revoked":
      return (
        <>
          ended {their} ({reasonWords(text(d.reason), text(d.note))}
          {d.byFilter ? ", by filter" : ""})
        </>
      );
    case "session.rotated":
      return <>replaced {their} with a newer token ({session(text(d.to))})</>;
    case "session.guest_upgraded":
      return <>signed guest {text(d.guestUserId)} in as {person}: the guest session {session(event.sessionId)} was replaced</>;
    case "session.label_changed":
      return <>renamed the device of {their} to “{text(d.deviceLabel) ?? "nothing"}”</>;
    case "session.tenant_changed":
      return <>moved {their} to tenant {text(d.tenantId) ?? "none"}</>;
    case "session.reauthenticated":
      return <>confirmed the password on {their}</>;
    case "session.reuse_detected":
      return <>saw a replaced token of {their} presented again: every session of that sign-in was revoked (theft suspected)</>;
    case "session.ended_by_policy":
      return <>ended {their}: it was past the new {d.ended === "idle" ? "idle timeout" : "absolute cap"} of the application&rsquo;s policy</>;
    case "user.sessions_revoked":
      return (
        <>
          logged {person} out everywhere ({reasonWords(text(d.reason), text(d.note))}): {count(d.revoked)} {count(d.revoked) === 1 ? "session" : "sessions"} ended
        </>
      );
    case "user.disabled":
      return <>disabled {person}{text(d.reason) ? ` (${text(d.reason)})` : ""}: all sessions ended</>;
    case "user.enabled":
      return <>enabled {person} again</>;
    case "user.created":
      return <>created the console account {person} ({text(d.role) ?? "USER"})</>;
    case "user.role_changed":
      return <>changed the role of {person} from {text(d.from)} to {text(d.to)}</>;
    case "user.password_changed":
      return d.reset ? <>reset the password of {person}: a one-time password was handed out, all sessions ended</> : <>changed the password of {person}</>;
    case "sessions.swept":
      return <>swept {count(d.total).toLocaleString("en-US")} dead sessions ({text(d.scope) ?? "every application"})</>;
    case "sessions.revoked_by_filter":
      return (
        <>
          revoked {count(d.revoked).toLocaleString("en-US")} sessions matching{" "}
          {Object.entries((d.filter as Record<string, unknown>) ?? {})
            .map(([key, value]) => `${key} ${String(value)}`)
            .join(", ") || "everything"}{" "}
          ({reasonWords(text(d.reason), text(d.note))})
        </>
      );
    case "oauth_state.issued":
      return <>issued an OAuth state</>;
    case "oauth_state.consumed":
      return <>consumed an OAuth state</>;
    case "api_key.created":
      return <>created the API key {text(d.name)} ({Array.isArray(d.scopes) ? d.scopes.join(", ") : ""})</>;
    case "api_key.revoked":
      return <>revoked an API key ({text(d.apiKeyId)})</>;
    case "application.created":
      return <>created the application {text(d.name)}</>;
    case "application.renamed":
      return <>renamed the application {text(d.from)} to {text(d.to)}</>;
    case "application.disabled":
      return <>disabled the application {text(d.name)}: its keys and sessions are refused</>;
    case "application.enabled":
      return <>enabled the application {text(d.name)} again</>;
    case "application.policy_changed": {
      const changed = Object.entries((d.changed as Record<string, { from: unknown; to: unknown }>) ?? {}).map(([field, change]) => {
        const value = (v: unknown) => (typeof v === "number" && field.endsWith("Seconds") ? durationWords(v) : String(v));
        return `${field.replace(/Seconds$/, "").replace(/([A-Z])/g, " $1").toLowerCase()} ${value(change.from)} → ${value(change.to)}`;
      });
      const impact = d.impact as { ended?: number; endedByLimit?: number } | undefined;
      const ended = (impact?.ended ?? 0) + (impact?.endedByLimit ?? 0);
      return (
        <>
          changed the session policy: {changed.join(", ") || "nothing"}; it ended {ended.toLocaleString("en-US")} live {ended === 1 ? "session" : "sessions"}
        </>
      );
    }
    case "webhook.endpoint_created":
      return <>added the webhook endpoint {text(d.url) ?? text(d.endpointId)}</>;
    case "webhook.endpoint_updated":
      return <>changed the webhook endpoint {text(d.endpointId)}</>;
    case "webhook.endpoint_deleted":
      return <>removed the webhook endpoint {text(d.url) ?? text(d.endpointId)}</>;
    case "webhook.secret_rotated":
      return <>rotated the signing secret of the webhook endpoint {text(d.endpointId)}</>;
    case "webhook.delivery_resent":
      return <>queued a webhook delivery again</>;
    case "webhook.endpoint_disabled":
      return <>disabled the webhook endpoint {text(d.url) ?? text(d.endpointId)}: its deliveries kept failing</>;
    default:
      return <>recorded {event.type}</>;
  }
}

/** The event's details as labelled text under its sentence ("reason: revoked · note: ticket 4711"), never raw JSON. */
function EventDetails({ details }: { details: Record<string, unknown> }) {
  const entries = labelledDetails(details);
  if (entries.length === 0) return null;
  return (
    <p className="mt-1 break-words text-xs text-slate-600" data-testid="event-details">
      {entries.map(([label, value], index) => (
        <span key={label}>
          {index > 0 ? " · " : ""}
          <span className="font-medium">{label}:</span> {value}
        </span>
      ))}
    </p>
  );
}

/**
 * Audit events, newest first, each a sentence (who did what to whose session, with links) and its
 * details as labelled text; security events marked.
 */
export function AuditTimeline({ events, empty = "No events.", appNames, emails }: { events: AuditEventView[]; empty?: string } & Names) {
  if (events.length === 0) return <p className="text-sm text-slate-500">{empty}</p>;
  return (
    <ol className="space-y-2" aria-label="Audit events">
      {events.map((event) => (
        <li
          key={event.id}
          className={`rounded border p-3 text-sm ${SECURITY_EVENTS.has(event.type) ? "border-red-300 bg-red-50" : "border-slate-200 bg-white"}`}
          data-event-type={event.type}
        >
          <div className="flex flex-wrap items-baseline gap-x-3">
            <span className="font-mono text-xs text-slate-600">{formatExact(event.at.toISOString())}</span>
            {SECURITY_EVENTS.has(event.type) ? <span className="text-xs font-semibold uppercase text-red-800">security</span> : null}
            {appNames ? (
              <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-700" data-testid="event-app">
                {appNames.get(event.appId) ?? event.appId}
              </span>
            ) : null}
          </div>
          <p className="mt-1" data-testid="event-sentence">
            <span className="font-medium">{actorOf(event)}</span> {sentence(event, { emails })}.
          </p>
          <EventDetails details={event.details} />
        </li>
      ))}
    </ol>
  );
}
