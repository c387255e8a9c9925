import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatExact } from "@/components/format";
import { ScrollRegion } from "@/components/scroll-region";
import { requireConsoleSession } from "@/lib/auth/session";
import { decodeSegment } from "@/lib/console/apps";
import { getLatchkey } from "@/lib/server/latchkey";
import { isSessionError } from "@/lib/sessions/errors";
import { EndpointActions, ResendForm } from "../_components/webhook-forms";

export const metadata: Metadata = { title: "Delivery log" };

export default async function DeliveryLogPage({ params }: { params: Promise<{ id: string; endpointId: string }> }) {
  await requireConsoleSession(["ADMIN"]);
  const raw = await params;
  const id = decodeSegment(raw.id);
  const endpointId = decodeSegment(raw.endpointId);
  if (id === null || endpointId === null) notFound();
  const { engine, webhooks } = getLatchkey();
  const app = await engine.findClientApplication(id);
  if (!app || app.id !== id) notFound();
  let endpoint;
  try {
    endpoint = await webhooks.endpoints.get(app.id, endpointId);
  } catch (error) {
    if (isSessionError(error)) notFound();
    throw error;
  }
  const deliveries = await webhooks.endpoints.deliveries(app.id, endpoint.id, { limit: 100 });
  return (
    <section className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href={`/applications/${encodeURIComponent(app.id)}/webhooks`} className="underline">
            Webhooks of {app.name}
          </Link>
        </p>
        <h1 className="break-all text-xl font-semibold">{endpoint.url}</h1>
        <p className="text-sm text-slate-600">
          {endpoint.disabledAt ? `Disabled since ${formatExact(endpoint.disabledAt)}: ${endpoint.disabledReason ?? ""}` : endpoint.failingSince ? `Failing since ${formatExact(endpoint.failingSince)}` : "Enabled"}
        </p>
      </div>
      <EndpointActions app={app.id} endpointId={endpoint.id} disabled={endpoint.disabledAt !== null} />
      <ScrollRegion label="Deliveries" className="rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm" aria-label="Deliveries">
          <thead className="bg-slate-50 text-left">
            <tr>
              <th scope="col" className="px-3 py-2">Event</th>
              <th scope="col" className="px-3 py-2">Status</th>
              <th scope="col" className="px-3 py-2">Attempts</th>
              <th scope="col" className="px-3 py-2">Last attempt</th>
              <th scope="col" className="px-3 py-2">Next retry</th>
              <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {deliveries.length === 0 && (
              <tr>
                <td colSpan={6} className="px-3 py-4 text-slate-600">
                  Nothing sent yet.
                </td>
              </tr>
            )}
            {deliveries.map((delivery) => {
              const last = delivery.attemptLog[0];
              return (
                <tr key={delivery.id} data-delivery-id={delivery.id} className="border-t border-slate-100 align-top">
                  <td className="px-3 py-2">
                    <span className="font-mono text-xs">{delivery.type}</span>
                    <div className="text-xs text-slate-500">{formatExact(delivery.createdAt)}</div>
                  </td>
                  <td className="px-3 py-2" data-testid="delivery-status">
                    {delivery.status.toLowerCase()}
                  </td>
                  <td className="px-3 py-2 tabular-nums">{delivery.attempts.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2" data-testid="delivery-last-attempt">
                    {last ? (
                      <>
                        {last.status ?? "no answer"} in {last.latencyMs.toLocaleString("en-US")} ms
                        {(last.error || last.response) && <div className="max-w-xs break-all text-xs text-slate-500">{last.error ?? last.response}</div>}
                        {delivery.attemptLog.length > 1 && (
                          <details className="mt-1 text-xs">
                            <summary className="cursor-pointer">every attempt ({delivery.attemptLog.length.toLocaleString("en-US")})</summary>
                            <ol className="mt-1 space-y-0.5">
                              {delivery.attemptLog.map((attempt) => (
                                <li key={attempt.at}>
                                  {formatExact(attempt.at)}: {attempt.status ?? "no answer"} in {attempt.latencyMs.toLocaleString("en-US")} ms
                                  {(attempt.error || attempt.response) && ` — ${(attempt.error ?? attempt.response ?? "").slice(0, 200)}`}
                                </li>
                              ))}
                            </ol>
                          </details>
                        )}
                      </>
                    ) : (
                      "not yet"
                    )}
                  </td>
                  <td className="px-3 py-2">{delivery.nextAttemptAt ? formatExact(delivery.nextAttemptAt) : "—"}</td>
                  <td className="px-3 py-2">
                    <ResendForm app={app.id} endpointId={endpoint.id} deliveryId={delivery.id} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}
