// GET /api/health — liveness and database reachability
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.health, async ({ latchkey }) => {
  const reachable = await latchkey.database.ping();
  return json({ status: reachable ? "ok" : "unavailable", database: reachable ? "ok" : "unreachable" }, reachable ? 200 : 503);
});
