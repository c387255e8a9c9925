import type { Metadata } from "next";
import Link from "next/link";
import { FiguresAsOf } from "@/components/figures-as-of";
import { SimpleTable } from "@/components/simple-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { describePolicy } from "@/lib/console/policy-words";
import { getLatchkey } from "@/lib/server/latchkey";
import { CreateApplicationForm } from "./_components/create-application-form";

export const metadata: Metadata = { title: "Applications" };

export default async function ApplicationsPage() {
  await requireConsoleSession(["ADMIN"]);
  const { value: apps, asOf, live } = await getLatchkey().engine.listApplications();
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Applications</h1>
        <p className="text-sm text-slate-600">
          Each application has its own users, sessions, API keys and session policy; its keys reach nothing outside it. The console&apos;s own
          accounts belong to none of them.
        </p>
      </div>
      <CreateApplicationForm />
      <SimpleTable label="Applications" headings={["Application", "Id", "Live sessions", "Status", "Policy"]}>
        {apps.map((app) => (
          <tr key={app.id} data-application={app.name}>
            <td className="px-3 py-2">
              <Link href={`/applications/${encodeURIComponent(app.id)}`} className="underline">
                {app.name}
              </Link>
            </td>
            <td className="px-3 py-2 font-mono text-xs">{app.id}</td>
            <td className="px-3 py-2" data-testid="live-sessions">
              {app.liveSessions.toLocaleString("en-US")}
            </td>
            <td className="px-3 py-2">{app.disabledAt ? "disabled" : "enabled"}</td>
            <td className="px-3 py-2 text-slate-700">{describePolicy(app)}</td>
          </tr>
        ))}
      </SimpleTable>
      <FiguresAsOf asOf={asOf} live={live} />
    </section>
  );
}
