// Any other /api/v1 path — a JSON 404 in the API's error shape
import { apiNotFound } from "@/lib/api/not-found";

export { apiNotFound as GET, apiNotFound as POST, apiNotFound as PUT, apiNotFound as PATCH, apiNotFound as DELETE };
