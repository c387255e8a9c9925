import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuditTimeline } from "@/components/audit-timeline";
import { formatExact } from "@/components/format";
import { requireConsoleSession } from "@/lib/auth/session";
import { decodeSegment } from "@/lib/console/apps";
import { describePolicy } from "@/lib/console/policy-words";
import { formatDurationSeconds } from "@/lib/duration";
import { getLatchkey } from "@/lib/server/latchkey";
import { CONSOLE_APP_ID } from "@/lib/sessions/policy";
import { DisableApplicationForm, RenameApplicationForm } from "./_components/application-forms";
import { PolicyForm } from "./_components/policy-form";

export const metadata: Metadata = { title: "Application" };

export default async function ApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  await requireConsoleSession(["ADMIN"]);
  const id = decodeSegment((await params).id);
  if (id === null || id === CONSOLE_APP_ID) notFound();
  const { engine } = getLatchkey();
  const { value: apps, asOf, live } = await engine.listApplications();
  const app = apps.find((item) => item.id === id);
  if (!app) notFound();
  const events = await engine.app(app.id).listEvents({ type: "application.policy_changed", limit: 10 });
  const disabledHooks = (await getLatchkey().webhooks.endpoints.list(app.id)).filter((endpoint) => endpoint.disabledAt);
  return (
    <section className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/applications" className="underline">
            Applications
          </Link>{" "}
          ·{" "}
          <Link href={`/sessions?app=${encodeURIComponent(app.id)}`} className="underline">
            its sessions
          </Link>{" "}
          ·{" "}
          <Link href={`/applications/${encodeURIComponent(app.id)}/webhooks`} className="underline">
            webhooks
          </Link>
        </p>
        <h1 className="text-xl font-semibold">{app.name}</h1>
        <p className="text-sm text-slate-600">
          id <span className="font-mono">{app.id}</span> · created {formatExact(app.createdAt.toISOString())} ·{" "}
          <span data-testid="app-live">{app.liveSessions.toLocaleString("en-US")}</span> live sessions
          {live ? null : (
            <>
              {" "}
              as of <time dateTime={asOf.toISOString()}>{asOf.toISOString().slice(11, 19)} UTC</time>
            </>
          )}{" "}
          ·{" "}
          <span data-testid="app-status">{app.disabledAt ? `disabled since ${formatExact(app.disabledAt.toISOString())}` : "enabled"}</span>
        </p>
        <p className="mt-1 text-sm" data-testid="app-policy">
          {describePolicy(app)}
        </p>
      </div>
      {disabledHooks.length > 0 && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800">
          {disabledHooks.length === 1 ? "A webhook endpoint is" : `${disabledHooks.length.toLocaleString("en-US")} webhook endpoints are`} disabled and receive nothing:{" "}
          <Link href={`/applications/${encodeURIComponent(app.id)}/webhooks`} className="underline">
            see the webhooks
          </Link>
          .
        </p>
      )}
      <PolicyForm
        id={app.id}
        values={{
          idleTimeout: formatDurationSeconds(app.idleTimeoutSeconds),
          absoluteTimeout: formatDurationSeconds(app.absoluteTimeoutSeconds),
          touchInterval: formatDurationSeconds(app.touchIntervalSeconds),
          rotationGrace: formatDurationSeconds(app.rotationGraceSeconds),
          allowGuests: app.allowGuests,
          sessionLimit: app.sessionLimit === null ? "" : String(app.sessionLimit),
          sessionLimitAction: app.sessionLimitAction,
        }}
      />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <RenameApplicationForm id={app.id} name={app.name} />
        <DisableApplicationForm id={app.id} disabled={app.disabledAt !== null} />
      </div>
      <div>
        <h2 className="mb-2 font-medium">Policy changes</h2>
        <AuditTimeline events={events.items} empty="The policy has not been changed." />
      </div>
    </section>
  );
}
