// Runs once when the server process starts, before it answers requests.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrapOrExit } = await import("./lib/server/bootstrap");
  await bootstrapOrExit();
  // The custom server (scripts/server.mjs) answers resolve and refresh through this, ahead of Next.js.
  const { answerHotCall, HOT_PATH_KEY } = await import("./lib/server/hot-path");
  (globalThis as Record<symbol, unknown>)[HOT_PATH_KEY] = answerHotCall;
}
