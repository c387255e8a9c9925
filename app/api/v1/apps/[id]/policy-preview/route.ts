// POST /api/v1/apps/{id}/policy-preview — what a policy change would end at once; changes nothing
import { endpoints } from "@/lib/api/endpoints";
import { ApiError } from "@/lib/api/errors";
import { apiRoute, json } from "@/lib/api/handler";

export const POST = apiRoute(endpoints.previewApplicationPolicy, async ({ latchkey, params, body }) => {
  const found = await latchkey.engine.findApplication(params.id);
  if (!found || found.id === "console") throw new ApiError("APP_NOT_FOUND", "No such application.");
  return json(await latchkey.engine.previewPolicy(found.id, body.policy));
});
