import Redis from "ioredis";
import { reviveCachedSession, type SharedSessionCache } from "../sessions/session-cache";

const PREFIX = "latchkey:v1";
const CHANNEL = `${PREFIX}:invalidate`;
const GENERATION = `${PREFIX}:generation`;
const EPOCH = `${PREFIX}:epoch`;
/** Without an answer to a ping for this long, Redis is treated as gone. */
const HEARTBEAT_MS = 500;
const SILENCE_MS = 2_000;

/** Sets the entry only if no invalidation happened since the ticket (the generation) was read. */
const SET_IF_GENERATION = `if (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) end return 1`;

type Message = { ids: string[] } | { epoch: number };

/**
 * The shared session cache on Redis, with revocations published to every instance.
 * - Keys are versioned: `latchkey:v1:<epoch>:s:<session id>`. The epoch goes up whenever an
 *   instance comes back after losing Redis, so entries that may have missed an invalidation
 *   while it was away are never read again.
 * - An entry is written only if the generation counter has not moved since it was read
 *   (before the database was), so a read racing a revocation cannot restore the old session.
 * - While either connection is down, or pings go unanswered for two seconds, `healthy()` is
 *   false: callers then read the database and trust no cache, local or shared.
 */
export function createRedisSessionCache(url: string, { maxAgeMs = 5 * 60_000, log = console.warn } = {}): SharedSessionCache & { ready: Promise<void> } {
  const retryStrategy = (times: number) => Math.min(100 * times, 1_000);
  const commands = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy, lazyConnect: true });
  const subscriber = new Redis(url, { autoResubscribe: false, maxRetriesPerRequest: 0, retryStrategy, lazyConnect: true });
  const listeners: ((ids: string[] | "all") => void)[] = [];
  let epoch = 0;
  let up = false;
  let everUp = false;
  let subscribed = false;
  let lastPong = 0;
  let closed = false;

  const notify = (ids: string[] | "all") => listeners.forEach((listener) => listener(ids));
  const key = (id: string) => `${PREFIX}:${epoch}:s:${id}`;

  function down(why: string) {
    subscribed = subscribed && subscriber.status === "ready";
    if (!up) return;
    up = false;
    if (!closed) log(`latchkey: Redis unavailable (${why}); resolving from the database until it is back`);
    notify("all");
  }

  async function comeUp() {
    if (up || closed || commands.status !== "ready" || !subscribed) return;
    try {
      if (everUp) {
        // Invalidations may have been lost while Redis was away: start a new epoch everywhere.
        epoch = await commands.incr(EPOCH);
        await commands.publish(CHANNEL, JSON.stringify({ epoch } satisfies Message));
      } else {
        epoch = Number((await commands.get(EPOCH)) ?? 0);
      }
      lastPong = Date.now();
      notify("all");
      if (everUp) log("latchkey: Redis is back; the shared cache is in use again");
      up = true;
      everUp = true;
    } catch (error) {
      down((error as Error).message);
    }
  }

  subscriber.on("message", (_channel: string, text: string) => {
    try {
      const message = JSON.parse(text) as Message;
      if ("epoch" in message) {
        epoch = Math.max(epoch, message.epoch);
        notify("all");
      } else notify(message.ids);
    } catch {
      notify("all");
    }
  });
  subscriber.on("ready", () => {
    subscriber
      .subscribe(CHANNEL)
      .then(() => {
        subscribed = true;
        return comeUp();
      })
      .catch((error: Error) => down(error.message));
  });
  commands.on("ready", () => void comeUp());
  for (const connection of [commands, subscriber]) {
    connection.on("close", () => {
      if (connection === subscriber) subscribed = false;
      down("connection closed");
    });
    connection.on("error", () => undefined);
  }
  const heartbeat = setInterval(() => {
    if (commands.status !== "ready") return;
    commands.ping().then(
      () => (lastPong = Date.now()),
      () => undefined,
    );
  }, HEARTBEAT_MS);
  heartbeat.unref();

  commands.defineCommand("latchkeySetIfGeneration", { numberOfKeys: 2, lua: SET_IF_GENERATION });
  type WithScript = Redis & { latchkeySetIfGeneration(key: string, generation: string, value: string, ticket: string, px: number): Promise<number> };

  const ready = Promise.all([commands.connect().catch(() => undefined), subscriber.connect().catch(() => undefined)]).then(async () => {
    for (let waited = 0; !up && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  });

  return {
    ready,
    healthy: () => up && Date.now() - lastPong < SILENCE_MS,

    async get(id) {
      const [value, generation] = await commands.mget(key(id), GENERATION);
      return { entry: value ? reviveCachedSession(value) : null, ticket: generation ?? "0" };
    },

    async set(id, entry, ticket) {
      await (commands as WithScript).latchkeySetIfGeneration(key(id), GENERATION, JSON.stringify(entry), ticket, maxAgeMs);
    },

    async invalidate(ids) {
      const transaction = commands.multi().incr(GENERATION);
      for (let i = 0; i < ids.length; i += 1_000) transaction.del(...ids.slice(i, i + 1_000).map(key));
      transaction.publish(CHANNEL, JSON.stringify({ ids } satisfies Message));
      const results = await transaction.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error("Redis refused the invalidation");
    },

    async forget(id) {
      await commands.del(key(id));
    },

    subscribe(listener) {
      listeners.push(listener);
    },

    async close() {
      closed = true;
      clearInterval(heartbeat);
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
