// GET /api/v1/events — the application's events as Server-Sent Events, resumable with Last-Event-ID
import { endpoints } from "@/lib/api/endpoints";
import { ApiError } from "@/lib/api/errors";
import { apiRoute } from "@/lib/api/handler";
import { eventStream } from "@/lib/webhooks/stream";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.streamEvents, async ({ latchkey, principal, query, request }) => {
  // An application's key streams its own application; a console account names one (Latchkey-App).
  let appId = principal?.scope;
  if (principal?.type === "user" && typeof appId !== "string") {
    const named = request.headers.get("latchkey-app");
    appId = named ? (await latchkey.engine.findApplication(named))?.id : undefined;
  }
  if (typeof appId !== "string" || appId === "console") {
    throw new ApiError("VALIDATION_FAILED", "Name the application: an application's API key, or the Latchkey-App header with a console account.");
  }
  const header = request.headers.get("last-event-id");
  if (header !== null && !/^\d{1,15}$/.test(header.trim())) throw new ApiError("VALIDATION_FAILED", "Last-Event-ID must be the id of an event this stream sent (a whole number).");
  const resume = header !== null ? Number(header.trim()) : (query.after ?? null);
  const stream = eventStream({ store: latchkey.webhooks.store, appId, after: resume, types: query.types ?? [], signal: request.signal });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no", connection: "keep-alive" },
  });
});
