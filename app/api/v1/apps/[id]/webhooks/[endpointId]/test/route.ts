// POST /api/v1/apps/{id}/webhooks/{endpointId}/test — queue a webhook.test event
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { applicationOf } from "@/lib/api/webhooks";

export const POST = apiRoute(endpoints.testWebhook, async ({ latchkey, params, actor }) => {
  return json({ delivery: await latchkey.webhooks.endpoints.sendTest(await applicationOf(latchkey, params.id), params.endpointId, actor) }, 202);
});
