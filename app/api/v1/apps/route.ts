// GET /api/v1/apps — every application; POST /api/v1/apps — create one (ADMIN console accounts only)
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.listApplications, async ({ latchkey }) => {
  const { value: items, asOf, live } = await latchkey.engine.listApplications();
  return json({ items, asOf, live });
});

export const POST = apiRoute(endpoints.createApplication, async ({ latchkey, body, actor }) => {
  return json({ application: await latchkey.engine.createApplication(body, actor) }, 201);
});
