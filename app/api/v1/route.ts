// /api/v1 itself — a JSON 404 that points to the OpenAPI document
import { apiNotFound } from "@/lib/api/not-found";

export { apiNotFound as GET, apiNotFound as POST, apiNotFound as PUT, apiNotFound as PATCH, apiNotFound as DELETE };
