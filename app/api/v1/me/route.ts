// GET /api/v1/me — who is calling: an API key, or a console account from the command line
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.whoami, async ({ principal }) => {
  const { type, id, name, scopes, role } = principal!;
  return json({ principal: { type, id, name, scopes, role } });
});
