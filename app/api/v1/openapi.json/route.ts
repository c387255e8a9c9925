// GET /api/v1/openapi.json — the OpenAPI 3.1 document of this API
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { buildOpenApiDocument } from "@/lib/api/openapi";

export const GET = apiRoute(endpoints.openApi, async () => {
  return Response.json(buildOpenApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
});
