// POST /api/v1/oauth-states — issue a single-use OAuth state
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";
import { issueStateCall } from "@/lib/api/session-calls";

export const POST = apiRoute(endpoints.issueOAuthState, issueStateCall);
