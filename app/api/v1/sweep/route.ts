// POST /api/v1/sweep — delete sessions dead past the retention period (dryRun: count only)
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.sweepSessions, async ({ app, body, actor }) => {
  return json(await app.sweepSessions(body, actor));
});
