// POST /api/v1/console-sessions — email and password in, a session token for the command line out
import { endpoints } from "@/lib/api/endpoints";
import { ApiError } from "@/lib/api/errors";
import { ROLE_SCOPES, apiRoute, json } from "@/lib/api/handler";
import { signInWithPassword } from "@/lib/auth/password-sign-in";

export const POST = apiRoute(endpoints.createConsoleSession, async ({ latchkey, body, ip, request }) => {
  const result = await signInWithPassword(body, { ip, userAgent: request.headers.get("user-agent"), via: "cli" });
  if (!result.ok && result.reason === "RATE_LIMITED") {
    const wait = String(result.retryAfter);
    throw new ApiError("RATE_LIMITED", "Too many failed sign-ins for this account from this address, or from this address; try again later.", { retryAfterSeconds: result.retryAfter }, { "retry-after": wait });
  }
  if (!result.ok) throw new ApiError("UNAUTHORIZED", "Wrong email or password, or the account is disabled.");
  const context = await latchkey.console.validateSession(result.token);
  const role = context.user.consoleRole as keyof typeof ROLE_SCOPES;
  const refusal =
    ROLE_SCOPES[role].length === 0
      ? "Only ADMIN and SUPPORT accounts may use the API."
      : context.user.mustChangePassword
        ? "Choose your own password in the console first (the one you were given works only once)."
        : null;
  if (refusal) {
    await latchkey.console.revokeSession(context.session.id, { reason: "SIGNED_OUT" }, { type: "system", label: "api" });
    throw new ApiError("FORBIDDEN", refusal);
  }
  return json({ token: result.token, expiresAt: context.session.absoluteExpiresAt, user: { id: context.user.id, email: result.account.email, role } }, 201);
});
