// POST /api/v1/apps/{id}/webhook-deliveries/{deliveryId}/resend — send a delivery again, now
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { applicationOf } from "@/lib/api/webhooks";

export const POST = apiRoute(endpoints.resendWebhookDelivery, async ({ latchkey, params, actor }) => {
  await latchkey.webhooks.endpoints.resend(await applicationOf(latchkey, params.id), params.deliveryId, actor);
  return json({ queued: true }, 202);
});
