// GET, PATCH, DELETE /api/v1/sessions/{id} — read, relabel or re-tenant, revoke one session
import { endpoints } from "@/lib/api/endpoints";
import { ApiError } from "@/lib/api/errors";
import { apiRoute, json } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.getSession, async ({ app, params }) => {
  const session = await app.getSession(params.id);
  if (!session) throw new ApiError("SESSION_NOT_FOUND", "No such session.");
  return json({ session });
});

export const PATCH = apiRoute(endpoints.updateSession, async ({ app, params, body, actor, principal }) => {
  // As in the console, only ADMIN accounts move sessions between tenants; API keys may.
  if (body.tenantId !== undefined && principal?.type === "user" && principal.role !== "ADMIN") {
    throw new ApiError("FORBIDDEN", `A ${principal.role} account cannot switch tenants.`);
  }
  let session = await app.getSessionOrThrow(params.id);
  if (body.deviceLabel !== undefined) session = await app.setDeviceLabel(params.id, body.deviceLabel, actor);
  if (body.tenantId !== undefined) session = await app.setTenant(params.id, body.tenantId, actor);
  return json({ session });
});

export const DELETE = apiRoute(endpoints.revokeSession, async ({ app, params, body, actor }) => {
  return json({ revoked: await app.revokeSession(params.id, body, actor) });
});
