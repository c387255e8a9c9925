import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatExact } from "@/components/format";
import { requireConsoleSession } from "@/lib/auth/session";
import { decodeSegment } from "@/lib/console/apps";
import { getLatchkey } from "@/lib/server/latchkey";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/events";
import { CreateWebhookForm, EndpointActions, RotateSecretForm } from "./_components/webhook-forms";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage({ params }: { params: Promise<{ id: string }> }) {
  await requireConsoleSession(["ADMIN"]);
  const id = decodeSegment((await params).id);
  if (id === null) notFound();
  const { engine, webhooks } = getLatchkey();
  const app = await engine.findClientApplication(id);
  if (!app || app.id !== id) notFound();
  const endpoints = await webhooks.endpoints.list(app.id);
  const disabled = endpoints.filter((endpoint) => endpoint.disabledAt);
  const base = `/applications/${encodeURIComponent(app.id)}`;
  return (
    <section className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/applications" className="underline">
            Applications
          </Link>{" "}
          ·{" "}
          <Link href={base} className="underline">
            {app.name}
          </Link>
        </p>
        <h1 className="text-xl font-semibold">Webhooks of {app.name}</h1>
        <p className="text-sm text-slate-600">
          Every session change of this application is sent, signed (Standard Webhooks), to the endpoints below, retried for 24 hours; an endpoint failing
          for three days is disabled.
        </p>
      </div>
      {disabled.length > 0 && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" data-testid="webhooks-disabled-banner">
          {disabled.length === 1 ? "An endpoint is" : `${disabled.length.toLocaleString("en-US")} endpoints are`} disabled and receive nothing:{" "}
          {disabled.map((endpoint) => `${endpoint.url} (${endpoint.disabledReason ?? "disabled"})`).join("; ")}.
        </p>
      )}
      {endpoints.length === 0 ? (
        <p className="text-sm text-slate-600">No endpoints yet.</p>
      ) : (
        <ul className="space-y-4">
          {endpoints.map((endpoint) => (
            <li key={endpoint.id} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4" data-endpoint-id={endpoint.id}>
              <p className="break-all font-mono text-sm">{endpoint.url}</p>
              <p className="text-sm text-slate-600">
                {endpoint.description ? `${endpoint.description} · ` : ""}
                {endpoint.eventTypes.length === 0 ? "every event" : endpoint.eventTypes.join(", ")} ·{" "}
                <span data-testid="endpoint-status">
                  {endpoint.disabledAt
                    ? `disabled since ${formatExact(endpoint.disabledAt)}`
                    : endpoint.failingSince
                      ? `failing since ${formatExact(endpoint.failingSince)}`
                      : "enabled"}
                </span>
                {endpoint.previousSecretExpiresAt && ` · the previous secret signs too until ${formatExact(endpoint.previousSecretExpiresAt)}`}
              </p>
              <p className="text-sm">
                <Link href={`${base}/webhooks/${encodeURIComponent(endpoint.id)}`} className="underline">
                  Delivery log
                </Link>
              </p>
              <EndpointActions app={app.id} endpointId={endpoint.id} disabled={endpoint.disabledAt !== null} />
              <RotateSecretForm app={app.id} endpointId={endpoint.id} />
            </li>
          ))}
        </ul>
      )}
      <CreateWebhookForm app={app.id} types={WEBHOOK_EVENT_TYPES} />
    </section>
  );
}
