// GET /api/v1/stats — the overview's figures
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.statistics, async ({ app }) => {
  return json(await app.getStatistics());
});
