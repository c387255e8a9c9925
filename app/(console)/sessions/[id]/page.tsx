import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuditTimeline } from "@/components/audit-timeline";
import { detailsText, formatExact } from "@/components/format";
import { requireConsoleSession } from "@/lib/auth/session";
import { decodeSegment, userHref } from "@/lib/console/apps";
import { userKey } from "@/lib/sessions/types";
import { describeActor, durationWords, reasonWords } from "@/lib/sessions/words";
import { getLatchkey } from "@/lib/server/latchkey";
import type { SessionView } from "@/lib/sessions/types";
import { describeDevice } from "@/lib/sessions/user-agent";
import { RelabelForm, RevokeForm, TenantForm } from "./_components/session-forms";

export const metadata: Metadata = { title: "Session" };

const CHAIN_LIMIT = 20;

/** The sessions this one was rotated from (oldest first) and to, as far as they still exist. */
async function rotationChain(session: SessionView): Promise<SessionView[]> {
  const engine = getLatchkey().engine.app(session.appId);
  const before: SessionView[] = [];
  let cursor = session.rotatedFromId;
  while (cursor && before.length < CHAIN_LIMIT) {
    const previous = await engine.getSession(cursor);
    if (!previous) break;
    before.unshift(previous);
    cursor = previous.rotatedFromId;
  }
  const after: SessionView[] = [];
  cursor = session.rotatedToId;
  while (cursor && after.length < CHAIN_LIMIT) {
    const next = await engine.getSession(cursor);
    if (!next) break;
    after.push(next);
    cursor = next.rotatedToId;
  }
  return [...before, session, ...after];
}

function time(date: Date | null): string {
  return date ? formatExact(date.toISOString()) : "—";
}

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const id = decodeSegment((await params).id) ?? "";
  const latchkey = getLatchkey();
  const { operator: engine, users } = latchkey;
  const session = await engine.getSession(id);
  if (!session) {
    const swept = await engine.getSweptSession(id);
    if (!swept) notFound();
    return (
      <section className="space-y-2">
        <h1 className="text-xl font-semibold">Session {id}</h1>
        <p role="status" className="rounded border border-slate-200 bg-white p-4 text-sm">
          This session was swept on {time(swept.sweptAt)}: it ended ({swept.status}
          {swept.revokedReason ? `, ${swept.revokedReason}` : ""}) on {time(swept.endedAt)}. User {swept.userId} of {(await latchkey.engine.getApplication(swept.appId))?.name ?? swept.appId}.
        </p>
        <Link href={`/debug?sessionId=${id}`} className="text-sm underline">
          Diagnose (debugger)
        </Link>
      </section>
    );
  }
  const [chain, events, emails, app] = await Promise.all([
    rotationChain(session),
    latchkey.engine.app(session.appId).listEvents({ sessionId: id, limit: 200 }),
    users.findEmails([{ appId: session.appId, userId: session.userId }]),
    latchkey.engine.getApplication(session.appId),
  ]);
  const replaced = session.revokedReason === "ROTATED";
  const fields: [string, string][] = [
    ["Status", replaced ? "replaced by a newer token" : session.status],
    ["Application", app?.name ?? session.appId],
    ["User", emails.get(userKey(session.appId, session.userId)) ?? session.userId],
    ["Kind", session.kind],
    ["Tenant", session.tenantId ?? "—"],
    ["Roles", session.roles.join(", ") || "—"],
    ["Device", session.deviceLabel ?? describeDevice(session) ?? "Unknown"],
    ["Device type", session.deviceType ?? "—"],
    ["User agent", session.userAgent ?? "—"],
    ["IP", session.ip ?? "—"],
    ["Signed in", time(session.startedAt)],
    ["Created", time(session.createdAt)],
    ["Last seen", time(session.lastSeenAt)],
    ["Last authenticated", time(session.authenticatedAt)],
    ["Idle timeout", durationWords(session.idleTimeoutSeconds)],
    ["Idle expiry", time(session.idleExpiresAt)],
    ["Absolute expiry", time(session.absoluteExpiresAt)],
    [
      replaced ? "Replaced" : "Revoked",
      session.revokedAt
        ? replaced
          ? `${time(session.revokedAt)}, by session ${session.rotatedToId ?? "(unknown)"}`
          : `${time(session.revokedAt)} by ${describeActor(session.revokedBy)} (${reasonWords(session.revokedReason, session.revokeNote)})`
        : "—",
    ],
    ["Guest id before upgrade", session.guestUserId ?? "—"],
    ["Metadata", detailsText(session.metadata)],
  ];
  return (
    <section className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/sessions" className="underline">
            Sessions
          </Link>{" "}
          ·{" "}
          <Link href={userHref(session.appId, session.userId)} className="underline">
            this user
          </Link>{" "}
          ·{" "}
          <Link href={`/debug?sessionId=${session.id}`} className="underline">
            Diagnose (debugger)
          </Link>
        </p>
        <h1 className="font-mono text-xl font-semibold">Session {session.id}</h1>
        {session.id === viewer.sessionId ? <p className="text-sm text-sky-800">This is your own console session.</p> : null}
      </div>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-[12rem_1fr]">
        {fields.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="font-medium text-slate-600">{label}</dt>
            <dd className="break-all" data-field={label}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      {chain.length > 1 ? (
        <div>
          <h2 className="mb-2 font-medium">Rotation chain</h2>
          <ol className="space-y-1 text-sm" aria-label="Rotation chain">
            {chain.map((link) => (
              <li key={link.id} className="font-mono text-xs">
                {link.id === session.id ? <strong>{link.id} (this one)</strong> : <Link href={`/sessions/${link.id}`} className="underline">{link.id}</Link>} — {link.status}, created{" "}
                {time(link.createdAt)}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {session.status === "active" ? (
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <RevokeForm sessionId={session.id} />
          <RelabelForm sessionId={session.id} label={session.deviceLabel ?? ""} />
          {viewer.role === "ADMIN" ? <TenantForm sessionId={session.id} tenantId={session.tenantId ?? ""} /> : null}
        </div>
      ) : (
        <p className="text-sm text-slate-600" data-testid="session-ended">
          This session has ended: there is nothing left to revoke or rename.
        </p>
      )}
      <div>
        <h2 className="mb-2 font-medium">Timeline</h2>
        <AuditTimeline events={events.items} emails={emails} />
      </div>
    </section>
  );
}
