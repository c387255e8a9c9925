// POST /api/v1/apps/{id}/webhooks/{endpointId}/rotate-secret — a new secret; the old one signs beside it for the overlap
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { applicationOf } from "@/lib/api/webhooks";

export const POST = apiRoute(endpoints.rotateWebhookSecret, async ({ latchkey, params, body, actor }) => {
  return json(await latchkey.webhooks.endpoints.rotateSecret(await applicationOf(latchkey, params.id), params.endpointId, body, actor));
});
