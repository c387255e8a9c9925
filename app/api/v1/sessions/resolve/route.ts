// POST /api/v1/sessions/resolve — a token's session and user, or why it is refused (200 either way)
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { resolveCall } from "@/lib/api/session-calls";

export const POST = apiRoute(endpoints.resolveSession, resolveCall);
