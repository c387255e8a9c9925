// GET /api/v1/me — who is calling: an API key (and its application), or a console account from the command line
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.whoami, async ({ latchkey, app, principal }) => {
  const { type, id, name, scopes, role } = principal!;
  const application = typeof app.scope === "string" ? await latchkey.engine.getApplication(app.scope) : null;
  return json({ principal: { type, id, name, scopes, role, application: application ? { id: application.id, name: application.name } : null } });
});
