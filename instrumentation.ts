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
  // ... and runs every request through the observer: request id, metrics, one log line.
  const { createRequestObserver, REQUEST_OBSERVER_KEY } = await import("./lib/server/observe");
  const { getMetrics } = await import("./lib/server/metrics");
  const { getLogger } = await import("./lib/server/log");
  const { metricsToken } = getLatchkey().env;
  (globalThis as Record<symbol, unknown>)[REQUEST_OBSERVER_KEY] = (appDir: string) =>
    createRequestObserver({ appDir, metrics: getMetrics(), logger: getLogger(), metricsToken, answerHot: answerHotCall });
}

/**
 * A page, route or action that threw: logged with the request id (the request's own log line
 * has it too) and the digest the console's error page shows.
 */
export async function onRequestError(error: unknown, request: { path: string; method: string; headers: Record<string, string | string[] | undefined> }, context: { routePath: string; routeType: string }) {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getLogger } = await import("./lib/server/log");
  const { loggedPath } = await import("./lib/server/request-trace");
  getLogger().error(
    { reqId: request.headers["x-request-id"], digest: (error as { digest?: string }).digest, method: request.method, route: context.routePath, path: loggedPath(request.path), err: error },
    `${context.routeType} failed`,
  );
}
