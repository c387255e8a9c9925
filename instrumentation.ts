// Runs once when the server process starts, before it answers requests.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { bootstrapOrExit } = await import("./lib/server/bootstrap");
  await bootstrapOrExit();
}
