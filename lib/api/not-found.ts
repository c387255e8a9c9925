import { errorResponse } from "./errors";

/** A JSON 404 in the API's error shape, for any path under /api/v1 that names no endpoint. */
export function apiNotFound(request: Request): Response {
  const { pathname } = new URL(request.url);
  return errorResponse("NOT_FOUND", `No API endpoint at ${request.method} ${pathname}. See /api/v1/openapi.json.`);
}
