import { NextResponse, type NextRequest } from "next/server";
import { CLIENT_PROTO_HEADER } from "@/lib/server/client-address";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The Content-Security-Policy of a page, following Next.js's nonce pattern: Next.js reads the
 * nonce from this header on the request and puts it on every script it renders, so no script
 * runs without it and `'strict-dynamic'` lets those scripts load the page's chunks.
 * - `'unsafe-eval'` only under `next dev`, where React rebuilds server error stacks with eval.
 * - Styles allow inline: Next.js's built-in not-found and error pages render `<style>` elements
 *   and style attributes without a nonce (a nonce in style-src would turn `'unsafe-inline'` off).
 * - upgrade-insecure-requests only when the client came over https (the server sets
 *   CLIENT_PROTO_HEADER from the socket and the trusted proxies, never from the client).
 */
function pageSecurityPolicy(nonce: string, https: boolean): string {
  const development = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** API answers keep the server's policy (nothing to run, nothing to frame): see scripts/server.mjs. */
function isApiPath(pathname: string): boolean {
  return pathname.startsWith("/api/") || pathname.startsWith("/.well-known/");
}

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
 * - Every page gets a fresh nonce and its Content-Security-Policy (replacing the server's API
 *   policy on the response).
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
  if (isApiPath(pathname)) return NextResponse.next();
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = pageSecurityPolicy(nonce, request.headers.get(CLIENT_PROTO_HEADER) === "https");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

// Static files (Next.js's own, and the icons and manifest in public/) need no page policy: they
// keep the server's, and are served to everyone, signed in or not.
export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|favicon.svg|apple-touch-icon.png|icon-192.png|icon-512.png|site.webmanifest).*)"],
};
