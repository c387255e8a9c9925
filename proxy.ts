import { NextResponse, type NextRequest } from "next/server";

// Runs before routing. A path whose percent-encoding does not decode (e.g. %ED%A0%80) would make
// Next.js answer a bare 500 while decoding route parameters; the API answers a 400 instead.
export function proxy(request: NextRequest) {
  try {
    decodeURIComponent(request.nextUrl.pathname);
  } catch {
    return NextResponse.json(
      { error: { code: "VALIDATION_FAILED", message: "Invalid input: path: is not valid percent-encoded UTF-8." } },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }
  return NextResponse.next();
}

export const config = { matcher: "/api/v1/:path*" };
