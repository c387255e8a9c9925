import Link from "next/link";
import { userHref } from "@/lib/console/apps";
import type { Diagnosis } from "@/lib/sessions/diagnose";
import { describeActor, reasonWords } from "@/lib/sessions/words";
import { AuditTimeline } from "./audit-timeline";
import { formatExact } from "./format";
import { SimpleTable } from "./simple-table";

const GOOD = new Set(["ACTIVE", "REPLACED"]);
const CELL = "px-3 py-2 align-top";

/** A diagnosis: the verdict in words, its evidence, and the timeline it was read from. Text only. */
export function DiagnosisView({ diagnosis }: { diagnosis: Diagnosis }) {
  const { session, user, swept } = diagnosis;
  return (
    <article className="space-y-4" aria-label="Diagnosis" data-verdict={diagnosis.verdict}>
      <div className={`rounded-lg border p-4 ${GOOD.has(diagnosis.verdict) ? "border-emerald-200 bg-emerald-50" : "border-amber-200 bg-amber-50"}`}>
        <p className="font-mono text-xs text-slate-600">
          <span data-testid="verdict">{diagnosis.verdict}</span>
          {diagnosis.application ? (
            <span className="ml-2 font-sans" data-testid="diagnosis-app">
              application {diagnosis.application.name}
            </span>
          ) : null}
        </p>
        <p className="mt-1 text-base font-medium" data-testid="diagnosis-summary">
          {diagnosis.summary}
        </p>
        {diagnosis.meaning ? (
          <p className="mt-1 text-sm text-slate-800" data-testid="diagnosis-meaning">
            {diagnosis.meaning}
          </p>
        ) : null}
        <div className="mt-2 flex flex-wrap gap-x-4 text-sm">
          {session ? <Link href={`/sessions/${session.id}`} className="underline">Open session {session.id}</Link> : null}
          {user ? <Link href={userHref(user.appId, user.id)} className="underline">Open user {user.email ?? user.id}</Link> : null}
          {swept ? <span className="text-slate-600">Tombstone kept: swept {formatExact(swept.sweptAt.toISOString())}</span> : null}
        </div>
      </div>

      {diagnosis.candidates.length > 0 ? (
        <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Choose a user">
          <h2 className="font-medium">Which one?</h2>
          <ul className="mt-2 space-y-1 text-sm">
            {diagnosis.candidates.map((candidate) => (
              <li key={`${candidate.appId}/${candidate.id}`}>
                <Link href={`/debug?app=${encodeURIComponent(candidate.appId)}&user=${encodeURIComponent(candidate.id)}`} className="underline">
                  {candidate.email ?? candidate.id} in {candidate.appId}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {Object.keys(diagnosis.evidence).length > 0 ? (
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-medium">Evidence</h2>
          <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
            {Object.entries(diagnosis.evidence).map(([name, value]) => (
              <div key={name} className="contents" data-evidence={name}>
                <dt className="text-slate-500">{name}</dt>
                <dd className="break-all font-mono text-xs">{value === null ? "—" : String(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}

      {diagnosis.subject === "user" || diagnosis.refusals.length > 0 ? (
        <section className="space-y-2">
          <h2 className="font-medium">Refused requests</h2>
          <SimpleTable label="Refused requests" headings={["When (UTC)", "Reason", "Operation", "From", "Session", "IP", "User agent"]}>
            {diagnosis.refusals.length === 0 ? (
              <tr>
                <td colSpan={7} className="px-3 py-2 text-slate-500">
                  No refused request is on record (refusals are kept for the refusal log&apos;s retention).
                </td>
              </tr>
            ) : (
              diagnosis.refusals.map((refusal) => (
                <tr key={refusal.id} data-refusal-reason={refusal.reason}>
                  <td className={CELL}>{formatExact(refusal.at.toISOString())}</td>
                  <td className={CELL}>{refusal.revokedReason ? `${refusal.reason} (${reasonWords(refusal.revokedReason, null)})` : refusal.reason}</td>
                  <td className={CELL}>{refusal.operation}</td>
                  <td className={CELL}>{refusal.source}</td>
                  <td className={`${CELL} font-mono text-xs`}>{refusal.sessionId ?? "—"}</td>
                  <td className={CELL}>{refusal.ip ?? "—"}</td>
                  <td className={`${CELL} max-w-xs truncate`} title={refusal.userAgent ?? undefined}>
                    {refusal.userAgent ?? "—"}
                  </td>
                </tr>
              ))
            )}
          </SimpleTable>
        </section>
      ) : null}

      {diagnosis.sessions.length > 0 ? (
        <section className="space-y-2">
          <h2 className="font-medium">{diagnosis.subject === "user" ? "Sessions, newest first" : "Rotation family, newest first"}</h2>
          <SimpleTable label="Sessions" headings={["Session", "Status", "Device", "Created (UTC)", "Last seen (UTC)", "Ended"]}>
            {diagnosis.sessions.map((item) => (
              <tr key={item.id} data-session-id={item.id}>
                <td className={CELL}>
                  <Link href={`/debug?sessionId=${encodeURIComponent(item.id)}`} className="font-mono text-xs underline">
                    {item.id}
                  </Link>
                </td>
                <td className={CELL} data-testid="session-status">
                  {item.revokedReason === "ROTATED" ? "replaced" : item.status}
                </td>
                <td className={CELL}>{item.deviceLabel ?? ([item.browser, item.os].filter(Boolean).join(" on ") || "unknown device")}</td>
                <td className={CELL}>{formatExact(item.createdAt.toISOString())}</td>
                <td className={CELL}>{formatExact(item.lastSeenAt.toISOString())}</td>
                <td className={CELL}>
                  {item.revokedAt
                    ? item.revokedReason === "ROTATED"
                      ? `replaced by a newer token ${formatExact(item.revokedAt.toISOString())}`
                      : `${reasonWords(item.revokedReason, item.revokeNote)} by ${describeActor(item.revokedBy)}, ${formatExact(item.revokedAt.toISOString())}`
                    : "—"}
                </td>
              </tr>
            ))}
          </SimpleTable>
        </section>
      ) : null}

      {diagnosis.events.length > 0 ? (
        <section className="space-y-2">
          <h2 className="font-medium">Audit events</h2>
          <AuditTimeline events={diagnosis.events} />
        </section>
      ) : null}
    </article>
  );
}
