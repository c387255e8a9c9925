// POST /api/v1/sessions/refresh — slide the idle expiry; with rotate, replace the token
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { refreshCall } from "@/lib/api/session-calls";

export const POST = apiRoute(endpoints.refreshSession, refreshCall);
