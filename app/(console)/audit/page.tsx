import type { Metadata } from "next";
import Link from "next/link";
import { AuditTimeline } from "@/components/audit-timeline";
import { FilterButtons, FilterField } from "@/components/filter-field";
import { FilterDisclosure } from "@/components/filter-disclosure";
import { ErrorNotice } from "@/components/form-status";
import { AppFilter } from "@/components/app-filter";
import { requireConsoleSession } from "@/lib/auth/session";
import { appNames, applicationChoices, emailsOfEvents, scopeOfFilter } from "@/lib/console/apps";
import { getLatchkey } from "@/lib/server/latchkey";
import { isSessionError } from "@/lib/sessions/errors";

export const metadata: Metadata = { title: "Audit log" };

const KEYS = ["app", "actor", "type", "userId", "sessionId", "from", "to", "before"] as const;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const params = await searchParams;
  const values: Record<string, string> = {};
  for (const key of KEYS) {
    const raw = params[key];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value) values[key] = value;
  }
  const latchkey = getLatchkey();
  const choices = await applicationChoices(latchkey);
  const { app, ...query } = values;
  let error: string | null = null;
  let page: Awaited<ReturnType<ReturnType<typeof getLatchkey>["operator"]["listEvents"]>> = { items: [], nextBefore: null };
  try {
    page = await latchkey.engine.app(scopeOfFilter(app, choices)).listEvents({ ...query, limit: 100 });
  } catch (caught) {
    if (!isSessionError(caught)) throw caught;
    error = caught.message;
  }
  const { before: _before, ...filters } = values;
  const next = new URLSearchParams({ ...filters, ...(page.nextBefore ? { before: String(page.nextBefore) } : {}) });
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600">Every operator action and engine event, newest first.</p>
      </div>
      <FilterDisclosure active={Object.keys(filters).length}>
        <form method="get" className="grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3" aria-label="Filter events">
          <AppFilter choices={choices} value={values.app} />
          <FilterField label="Actor (id, email or key name)" name="actor" value={values.actor} />
          <FilterField label="Type" name="type" value={values.type} placeholder="session.revoked" />
          <FilterField label="User id" name="userId" value={values.userId} />
          <FilterField label="Session id" name="sessionId" value={values.sessionId} />
          <FilterField label="From (UTC)" name="from" value={values.from} placeholder="2026-11-30 14:00" />
          <FilterField label="To (UTC)" name="to" value={values.to} placeholder="2026-11-30 14:00" />
          <FilterButtons clearHref="/audit" />
        </form>
      </FilterDisclosure>
      <ErrorNotice error={error} />
      <AuditTimeline events={page.items} empty="No events match." appNames={appNames(choices)} emails={await emailsOfEvents(latchkey, page.items)} />
      {page.nextBefore ? (
        <Link href={`/audit?${next.toString()}`} className="text-sm underline">
          Older events
        </Link>
      ) : null}
    </section>
  );
}
