// The live event stream (GET /api/v1/events): Server-Sent Events of one application's webhook
// events, read from the audit log up to the dispatcher's cursor (what has surely committed), so
// every instance serves the same stream, in order, and a client resumes with Last-Event-ID.
import { forEveryApplication, webhookEventOf } from "./events";
import { OUTBOX_READER } from "./dispatcher";
import type { WebhookStore } from "./store";

export interface EventStreamOptions {
  store: WebhookStore;
  appId: string;
  /** The last event the client has (Last-Event-ID); null: from now on. */
  after: number | null;
  /** Only these types (empty: every type). */
  types: string[];
  signal: AbortSignal;
  pollMs?: number;
  heartbeatMs?: number;
  /** The stream ends after this long (default 5 minutes); the client reconnects with Last-Event-ID, and its key is checked again. */
  lifetimeMs?: number;
}

/** Events read from the audit log at one poll, at most. */
const POLL_ROWS = 500;

/** A ReadableStream of `text/event-stream` for one application. */
export function eventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const { store, appId, signal } = options;
  const pollMs = options.pollMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const endsAt = Date.now() + (options.lifetimeMs ?? 5 * 60_000);
  const encoder = new TextEncoder();
  let timer: NodeJS.Timeout | null = null;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let cursor = options.after ?? (await store.newestEventId());
      let lastSent = Date.now();
      const send = (text: string) => {
        controller.enqueue(encoder.encode(text));
        lastSent = Date.now();
      };
      send(`retry: 2000\n: events of ${appId} after ${cursor}\n\n`);
      const close = () => {
        if (timer) clearTimeout(timer);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      signal.addEventListener("abort", close, { once: true });
      const poll = async () => {
        if (signal.aborted) return;
        try {
          // Only up to the dispatcher's cursor: everything at or below it has committed (an id is
          // handed out before its transaction commits, so a newer one can be seen before an older).
          const committed = (await store.cursor(OUTBOX_READER)) ?? 0;
          const rows = await store.readAppOutbox(appId, cursor, POLL_ROWS);
          for (const row of rows) {
            if (row.id > committed) break;
            cursor = row.id;
            const event = webhookEventOf(row);
            if (!event || (row.appId !== appId && !forEveryApplication(row))) continue;
            if (options.types.length > 0 && !options.types.includes(event.type)) continue;
            send(`id: ${row.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.payload)}\n\n`);
          }
          // Fewer than a full read: every event of this application up to `committed` is behind
          // us. The next read starts there, not at this application's last event, or a quiet
          // application's stream would read again at every poll all that others wrote since.
          if (rows.length < POLL_ROWS) cursor = Math.max(cursor, committed);
          if (Date.now() - lastSent >= heartbeatMs) send(": keep-alive\n\n");
        } catch (error) {
          console.error(`latchkey: event stream: ${(error as Error).message}`);
          send(": events cannot be read right now; retrying\n\n");
        }
        if (Date.now() >= endsAt) return close();
        if (!signal.aborted) timer = setTimeout(poll, pollMs);
      };
      await poll();
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  });
}
