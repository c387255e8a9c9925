// GET /api/v1/apps/{id}/webhooks — the application's endpoints; POST — add one (its secret in the answer only)
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { applicationOf } from "@/lib/api/webhooks";

export const GET = apiRoute(endpoints.listWebhooks, async ({ latchkey, params }) => {
  return json({ items: await latchkey.webhooks.endpoints.list(await applicationOf(latchkey, params.id)) });
});

export const POST = apiRoute(endpoints.createWebhook, async ({ latchkey, params, body, actor }) => {
  return json(await latchkey.webhooks.endpoints.create(await applicationOf(latchkey, params.id), body, actor), 201);
});
