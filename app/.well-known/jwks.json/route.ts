// GET /.well-known/jwks.json — the public keys that verify access tokens
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/handler";

export const GET = apiRoute(endpoints.jwks, async ({ latchkey }) => {
  return Response.json(await latchkey.accessTokens.jwks(), { headers: { "cache-control": "public, max-age=300" } });
});
