import { NextResponse, type NextRequest } from "next/server";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function jsonError(status: number, code: string, message: string) {
  return NextResponse.json({ error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
}

/**
 * Runs before routing.
 * - The console (pages, server actions, sign-in) refuses state-changing requests whose Origin is
 *   another site: a cross-site form post gets a 403 before any action runs. The HTTP API is
 *   exempt: it authenticates with bearer keys, never cookies.
 * - A path whose percent-encoding does not decode (e.g. %ED%A0%80) would make Next.js answer a
 *   bare 500 while decoding route parameters; it gets a 400 instead.
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  try {
    decodeURIComponent(pathname);
  } catch {
    return jsonError(400, "VALIDATION_FAILED", "Invalid input: path: is not valid percent-encoded UTF-8.");
  }
  if (STATE_CHANGING.has(request.method) && !pathname.startsWith("/api/v1/")) {
    const origin = request.headers.get("origin");
    const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
    let sameOrigin = origin === null;
    if (origin !== null && host) {
      try {
        sameOrigin = new URL(origin).host === host;
      } catch {
        sameOrigin = false;
      }
    }
    if (!sameOrigin) return jsonError(403, "FORBIDDEN", "Cross-site requests may not change anything here.");
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|icon.svg).*)"],
};
