import type { Metadata } from "next";
import Link from "next/link";
import { AuditTimeline, SECURITY_EVENTS } from "@/components/audit-timeline";
import { BarChart } from "@/components/bar-chart";
import { AppFilter } from "@/components/app-filter";
import { FiguresAsOf } from "@/components/figures-as-of";
import { requireConsoleSession } from "@/lib/auth/session";
import { appNames, applicationChoices, emailsOfEvents, scopeOfFilter } from "@/lib/console/apps";
import { getLatchkey } from "@/lib/server/latchkey";
import { ENDING_REASONS } from "@/lib/sessions/types";

export const metadata: Metadata = { title: "Overview" };

function Stat({ label, value, href }: { label: string; value: number; href: string }) {
  return (
    <Link href={href} className="rounded-lg border border-slate-200 bg-white p-4 hover:bg-slate-50">
      <p className="text-sm text-slate-600">{label}</p>
      <p className="text-2xl font-semibold" data-testid={`stat-${label}`}>
        {value.toLocaleString("en")}
      </p>
    </Link>
  );
}

function Top({ title, items }: { title: string; items: { value: string; count: number }[] }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="mb-2 text-sm font-medium">{title}</h2>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">No live sessions.</p>
      ) : (
        <ol className="space-y-1 text-sm">
          {items.map((item) => (
            <li key={item.value} className="flex justify-between gap-4">
              <span>{item.value}</span>
              <span className="text-slate-600">{item.count.toLocaleString("en")}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const latchkey = getLatchkey();
  const choices = await applicationChoices(latchkey);
  const raw = (await searchParams).app;
  const scope = scopeOfFilter(Array.isArray(raw) ? raw[0] : raw, choices);
  const appQuery = typeof scope === "string" ? `&app=${encodeURIComponent(scope)}` : "";
  const engine = latchkey.engine.app(scope);
  const [stats, recent] = await Promise.all([engine.getStatistics(), engine.listEvents({ limit: 200 })]);
  // What people and applications did, and what should worry an operator (a replayed token).
  const operatorActions = recent.items
    .filter((event) => event.actorType === "user" || event.actorType === "api_key" || SECURITY_EVENTS.has(event.type))
    .slice(0, 10);
  const emails = await emailsOfEvents(latchkey, operatorActions);
  return (
    <section className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Overview</h1>
          <FiguresAsOf asOf={stats.asOf} live={stats.live} />
        </div>
        <form method="get" className="flex items-end gap-2" aria-label="Choose an application">
          <AppFilter choices={choices} value={typeof scope === "string" ? scope : undefined} />
          <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-1 text-sm">
            Show
          </button>
        </form>
      </div>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Stat label="active" value={stats.active} href={`/sessions?status=active${appQuery}`} />
        <Stat label="expired, not yet swept" value={stats.expiredNotSwept} href={`/sessions?status=idle-expired,absolute-expired${appQuery}`} />
        <Stat
          label="revoked in the last 24 h"
          value={stats.revokedLast24h}
          href={`/sessions?revokedFrom=${encodeURIComponent(stats.revokedSince.toISOString())}&reason=${ENDING_REASONS.join(",")}${appQuery}`}
        />
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <div className="rounded-lg border border-slate-200 bg-white p-4">
          <BarChart title="Sessions created per hour (last 48 hours, UTC)" bars={stats.createdPerHour.map((bucket) => ({ label: bucket.at.toISOString().slice(5, 13).replace("T", " ") + "h", value: bucket.count }))} />
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-4">
          <BarChart title="Sessions created per day (last 30 days)" bars={stats.createdPerDay.map((bucket) => ({ label: bucket.at.toISOString().slice(0, 10), value: bucket.count }))} />
        </div>
      </div>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Top title="Top browsers (live sessions)" items={stats.topBrowsers} />
        <Top title="Top operating systems" items={stats.topOperatingSystems} />
        <Top title="Device types" items={stats.topDeviceTypes} />
      </div>
      <div>
        <h2 className="mb-2 font-medium">Recent actions and security events</h2>
        <AuditTimeline events={operatorActions} empty="No actions yet." appNames={appNames(choices)} emails={emails} />
      </div>
    </section>
  );
}
