import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { OUTBOX_READER } from "./dispatcher";
import { createWebhookStore, type WebhookStore } from "./store";
import { eventStream } from "./stream";

// The live event stream against a real database: what it sends, and what it reads to send it.

let db: TestDatabase;
let store: WebhookStore;
beforeAll(async () => {
  db = await createTestDatabase();
  store = createWebhookStore(db.database);
});
afterAll(async () => {
  await db.drop();
});

const created = (appId: string, n: number) => ({
  appId,
  at: new Date(),
  type: "session.created",
  actorType: "system",
  actorId: null,
  actorLabel: null,
  sessionId: `${appId}-session-${n}`,
  userId: `${appId}-user-${n}`,
  details: "{}",
});

async function append(appId: string, count: number): Promise<number> {
  for (let start = 0; start < count; start += 500) {
    await db.database.prisma.auditEvent.createMany({ data: Array.from({ length: Math.min(500, count - start) }, (_, i) => created(appId, start + i)) });
  }
  return store.newestEventId();
}

/** Where the webhook dispatcher has read to: every event up to it has committed. */
async function dispatcherAt(id: number): Promise<void> {
  await store.startCursor(OUTBOX_READER, new Date());
  await db.database.prisma.outboxCursor.update({ where: { name: OUTBOX_READER }, data: { lastEventId: id } });
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > timeoutMs) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What a stream has sent so far, read as it comes. */
function streamed(body: ReadableStream<Uint8Array>): { text: string } {
  const seen = { text: "" };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      seen.text += decoder.decode(value, { stream: true });
    }
  })();
  return seen;
}

describe("eventStream", () => {
  it("reads on from the newest committed event when its application is quiet, and still sends what comes later", async () => {
    const quietFirst = await append("quiet", 1);
    const busyNewest = await append("busy", 1_200);
    await dispatcherAt(busyNewest);

    // The store as is, with each read's starting point noted.
    const readsAfter: number[] = [];
    const observed: WebhookStore = {
      ...store,
      readAppOutbox: (appId, afterId, limit) => {
        readsAfter.push(afterId);
        return store.readAppOutbox(appId, afterId, limit);
      },
    };
    const controller = new AbortController();
    const stream = streamed(eventStream({ store: observed, appId: "quiet", after: quietFirst - 1, types: [], signal: controller.signal, pollMs: 5 }));
    try {
      await until(() => readsAfter.length >= 3);
      expect(stream.text).toContain(`id: ${quietFirst}\nevent: session.created\n`);
      // The first read starts where the client is; the next ones past the busy application's
      // 1,200 events, which this stream had read and passed over once.
      expect(readsAfter[0]).toBe(quietFirst - 1);
      expect(readsAfter.slice(1).every((after) => after === busyNewest)).toBe(true);

      // An event written but not yet committed as far as the stream knows (past the dispatcher's
      // cursor) is not skipped: it is sent once the cursor passes it.
      const quietLater = await append("quiet", 1);
      const polls = readsAfter.length;
      await until(() => readsAfter.length >= polls + 3);
      expect(stream.text).not.toContain(`id: ${quietLater}\n`);
      await dispatcherAt(quietLater);
      await until(() => stream.text.includes(`id: ${quietLater}\n`));
      expect(stream.text.match(/^id: /gm)).toHaveLength(2);
    } finally {
      controller.abort();
    }
  });

  it("sends every event when there are more than one read takes", async () => {
    const before = await store.newestEventId();
    const newest = await append("backlog", 1_100);
    await dispatcherAt(newest);
    const controller = new AbortController();
    const stream = streamed(eventStream({ store, appId: "backlog", after: before, types: [], signal: controller.signal, pollMs: 5 }));
    try {
      // Within a few polls; a stream that skipped some never sends the last.
      await until(() => stream.text.includes(`id: ${newest}\n`), 3_000).catch(() => undefined);
      const sent = [...stream.text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
      expect(sent).toEqual(Array.from({ length: 1_100 }, (_, i) => before + 1 + i));
    } finally {
      controller.abort();
    }
  });
});
