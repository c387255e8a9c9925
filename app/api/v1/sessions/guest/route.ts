// POST /api/v1/sessions/guest — start a guest session
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { createGuestCall } from "@/lib/api/session-calls";

export const POST = apiRoute(endpoints.createGuestSession, createGuestCall);
