// GET, POST /api/auth/* — next-auth: console sign-in, sign-out, CSRF token, session.
import NextAuth from "next-auth";
import { getAuthOptions, requestIsHttps } from "@/lib/auth/options";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: RouteContext) {
  return NextAuth(request as never, { params: await context.params } as never, getAuthOptions(await requestIsHttps()));
}

export { handler as GET, handler as POST };
