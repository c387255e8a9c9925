import type { Metadata } from "next";
import Link from "next/link";
import { AuditTimeline } from "@/components/audit-timeline";
import { requireConsoleSession } from "@/lib/auth/session";
import { getLatchkey } from "@/lib/server/latchkey";
import { isSessionError } from "@/lib/sessions/errors";

export const metadata: Metadata = { title: "Audit log" };

const KEYS = ["actor", "type", "userId", "sessionId", "from", "to", "before"] as const;
const INPUT = "mt-0.5 block w-full rounded border border-slate-300 bg-white px-2 py-1";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const params = await searchParams;
  const values: Record<string, string> = {};
  for (const key of KEYS) {
    const raw = params[key];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value) values[key] = value;
  }
  let error: string | null = null;
  let page: Awaited<ReturnType<ReturnType<typeof getLatchkey>["engine"]["listEvents"]>> = { items: [], nextBefore: null };
  try {
    page = await getLatchkey().engine.listEvents({ ...values, limit: 100 });
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
      <form method="get" className="grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3" aria-label="Filter events">
        <label className="text-xs">
          Actor (id, email or key name)
          <input name="actor" defaultValue={values.actor ?? ""} className={INPUT} />
        </label>
        <label className="text-xs">
          Type
          <input name="type" defaultValue={values.type ?? ""} placeholder="session.revoked" className={INPUT} />
        </label>
        <label className="text-xs">
          User id
          <input name="userId" defaultValue={values.userId ?? ""} className={INPUT} />
        </label>
        <label className="text-xs">
          Session id
          <input name="sessionId" defaultValue={values.sessionId ?? ""} className={INPUT} />
        </label>
        <label className="text-xs">
          From (UTC)
          <input name="from" type="datetime-local" defaultValue={values.from ?? ""} className={INPUT} />
        </label>
        <label className="text-xs">
          To (UTC)
          <input name="to" type="datetime-local" defaultValue={values.to ?? ""} className={INPUT} />
        </label>
        <div className="flex gap-2">
          <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">
            Apply filters
          </button>
          <Link href="/audit" className="rounded border border-slate-300 px-3 py-1.5 text-sm">
            Clear
          </Link>
        </div>
      </form>
      {error ? (
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <AuditTimeline events={page.items} empty="No events match." />
      {page.nextBefore ? (
        <Link href={`/audit?${next.toString()}`} className="text-sm underline">
          Older events
        </Link>
      ) : null}
    </section>
  );
}
