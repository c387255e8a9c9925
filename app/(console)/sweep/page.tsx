import type { Metadata } from "next";
import { AuditTimeline } from "@/components/audit-timeline";
import { FiguresAsOf } from "@/components/figures-as-of";
import { SimpleTable } from "@/components/simple-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { getLatchkey } from "@/lib/server/latchkey";
import { durationWords, formatTime } from "@/lib/sessions/words";
import { SweepRunner } from "./_components/sweep-runner";

export const metadata: Metadata = { title: "Sweep" };

export default async function SweepPage() {
  await requireConsoleSession(["ADMIN"]);
  const { operator: engine, env } = getLatchkey();
  const retention = env.session.retentionSeconds;
  // What a sweep would delete now, how long ago those sessions ended, and what the retention keeps.
  const [{ value: preview, asOf, live }, history] = await Promise.all([engine.sweepPreview(), engine.listEvents({ type: "sessions.swept", limit: 20 })]);
  const { sweepable: all, retained } = preview;
  const ages: [string, number][] = [
    [`ended ${durationWords(retention)} to 30 days ago`, preview.byAge.toMonth],
    ["ended 30 to 90 days ago", preview.byAge.toQuarter],
    ["ended more than 90 days ago", preview.byAge.older],
  ];
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Sweep</h1>
        <p className="text-sm text-slate-600">
          Dead sessions stay visible for {durationWords(retention)} (LATCHKEY_RETENTION), then a sweep deletes them and keeps a small tombstone each.{" "}
          {env.sweepIntervalSeconds ? `Scheduled every ${durationWords(env.sweepIntervalSeconds)}.` : "No scheduled sweep (LATCHKEY_SWEEP_INTERVAL)."}
        </p>
        <FiguresAsOf asOf={asOf} live={live} />
      </div>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <SimpleTable headings={["Would delete now", "Sessions"]}>
          {(
            [
              ["idle-expired", all.idleExpired],
              ["absolute-expired", all.absoluteExpired],
              ["revoked", all.revoked],
              ["total", all.total],
            ] as const
          ).map(([label, count]) => (
            <tr key={label}>
              <td className="px-3 py-2">{label}</td>
              <td className="px-3 py-2" data-testid={`sweepable-${label}`}>
                {count.toLocaleString("en-US")}
              </td>
            </tr>
          ))}
        </SimpleTable>
        <SimpleTable headings={["By age", "Sessions"]}>
          {ages.map(([label, count]) => (
            <tr key={label}>
              <td className="px-3 py-2">{label}</td>
              <td className="px-3 py-2">{count.toLocaleString("en-US")}</td>
            </tr>
          ))}
        </SimpleTable>
      </div>
      <p className="rounded border border-slate-200 bg-white p-3 text-sm" data-testid="retained">
        {retained.count === 0
          ? "No ended session is waiting out the retention."
          : `${retained.count.toLocaleString("en-US")} ended ${retained.count === 1 ? "session is" : "sessions are"} kept for the retention of ${durationWords(retained.retentionSeconds)}: the first becomes deletable ${retained.firstDeletableAt ? formatTime(retained.firstDeletableAt) : "soon"}.`}
      </p>
      <SweepRunner sweepable={all.total} />
      <div>
        <h2 className="mb-2 font-medium">Past sweeps</h2>
        <AuditTimeline events={history.items} empty="No sweep has run yet." />
      </div>
    </section>
  );
}
