// GET /api/v1/apps/{id}/webhooks/{endpointId}; PATCH — change it, disable or enable it; DELETE — remove it
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { applicationOf } from "@/lib/api/webhooks";

export const GET = apiRoute(endpoints.getWebhook, async ({ latchkey, params }) => {
  return json({ endpoint: await latchkey.webhooks.endpoints.get(await applicationOf(latchkey, params.id), params.endpointId) });
});

export const PATCH = apiRoute(endpoints.updateWebhook, async ({ latchkey, params, body, actor }) => {
  return json({ endpoint: await latchkey.webhooks.endpoints.update(await applicationOf(latchkey, params.id), params.endpointId, body, actor) });
});

export const DELETE = apiRoute(endpoints.deleteWebhook, async ({ latchkey, params, actor }) => {
  await latchkey.webhooks.endpoints.remove(await applicationOf(latchkey, params.id), params.endpointId, actor);
  return json({ deleted: true });
});
