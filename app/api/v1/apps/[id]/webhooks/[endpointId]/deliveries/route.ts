// GET /api/v1/apps/{id}/webhooks/{endpointId}/deliveries — the delivery log, newest first
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { applicationOf } from "@/lib/api/webhooks";

export const GET = apiRoute(endpoints.listWebhookDeliveries, async ({ latchkey, params, query }) => {
  const appId = await applicationOf(latchkey, params.id);
  return json({ items: await latchkey.webhooks.endpoints.deliveries(appId, params.endpointId, { limit: query.limit, beforeId: query.before }) });
});
