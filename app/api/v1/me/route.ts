// GET /api/v1/me — the API key making the request
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.whoami, async ({ key }) => {
  const { id, name, scopes, createdAt, lastUsedAt } = key!;
  return json({ key: { id, name, scopes, createdAt, lastUsedAt } });
});
