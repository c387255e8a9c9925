// Runs once when the server process starts, before it answers requests.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrapOrExit } = await import("./lib/server/bootstrap");
  await bootstrapOrExit();
  // The custom server (scripts/server.mjs) answers resolve and refresh through this, ahead of Next.js.
  const { answerHotCall, HOT_PATH_KEY } = await import("./lib/server/hot-path");
  (globalThis as Record<symbol, unknown>)[HOT_PATH_KEY] = answerHotCall;
  // ... and says who the client is, from the socket and the proxies it trusts, before anything reads it.
  const { CLIENT_ADDRESS_KEY, stampClient } = await import("./lib/server/client-address");
  const { getLatchkey } = await import("./lib/server/latchkey");
  const { trustedProxies } = getLatchkey().env;
  (globalThis as Record<symbol, unknown>)[CLIENT_ADDRESS_KEY] = (request: import("node:http").IncomingMessage) => stampClient(request, trustedProxies);
}
