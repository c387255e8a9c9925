import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { headers as requestHeaders } from "next/headers";
import { ensureAuthSecret } from "../server/auth-secret";
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER } from "../server/client-address";
import { getLatchkey } from "../server/latchkey";
import type { RequestContext } from "../sessions/refusal-log";
import { parseToken } from "../sessions/tokens";
import { signInWithPassword } from "./password-sign-in";

declare module "next-auth" {
  interface Session {
    /** The Latchkey session behind this console sign-in; absent once it was refused. */
    sessionId?: string;
    userId?: string;
    /** The account's console role as of this request. */
    role?: string;
    /** When the person last signed in or re-entered their password (ISO). */
    authenticatedAt?: string | null;
    mustChangePassword?: boolean;
    /** Why the Latchkey session was refused, when it was. */
    refused?: string;
  }
  interface User {
    latchkeyToken?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** The Latchkey session token, inside next-auth's encrypted cookie; never sent to scripts. */
    lk?: string;
  }
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** The console request's address and agent, for the refusal log (none outside a request). */
async function consoleOrigin(): Promise<RequestContext> {
  try {
    const incoming = await requestHeaders();
    return { source: "console", ip: incoming.get(CLIENT_IP_HEADER), userAgent: incoming.get("user-agent") };
  } catch {
    return { source: "console" };
  }
}

/** The client's address, as the server found it (lib/server/client-address.ts). */
function clientIp(headers: unknown): string | null {
  return header(headers, CLIENT_IP_HEADER) ?? null;
}

export const SIGN_IN_RATE_LIMITED = "RATE_LIMITED";

const cached = new Map<boolean, AuthOptions>();

/** The client's address of this request (a server component or action), as the server found it. */
export async function requestClientIp(): Promise<string | null> {
  try {
    return (await requestHeaders()).get(CLIENT_IP_HEADER);
  } catch {
    return null;
  }
}

/** Whether this request reached Latchkey over TLS, as the server found it (see lib/server/client-address.ts). */
export async function requestIsHttps(): Promise<boolean> {
  try {
    return (await requestHeaders()).get(CLIENT_PROTO_HEADER) === "https";
  } catch {
    return false;
  }
}

/**
 * next-auth's cookies: over https `__Host-` names (only this host, path /, never without TLS) and
 * Secure; over plain http (a local start) the same names unprefixed.
 */
function consoleCookies(secure: boolean): AuthOptions["cookies"] {
  const prefix = secure ? "__Host-" : "";
  const options = { httpOnly: true, sameSite: "lax" as const, path: "/", secure };
  return {
    sessionToken: { name: `${prefix}next-auth.session-token`, options },
    callbackUrl: { name: `${prefix}next-auth.callback-url`, options },
    csrfToken: { name: `${prefix}next-auth.csrf-token`, options },
    pkceCodeVerifier: { name: `${prefix}next-auth.pkce.code_verifier`, options: { ...options, maxAge: 900 } },
    state: { name: `${prefix}next-auth.state`, options: { ...options, maxAge: 900 } },
    nonce: { name: `${prefix}next-auth.nonce`, options },
  };
}

/**
 * next-auth configuration for the console. Every sign-in starts a Latchkey session whose token
 * rides in next-auth's encrypted cookie; every request resolves it through the engine, so a
 * revoked or expired session signs the person out of the console at once. `https`: the request
 * came over TLS (or NEXTAUTH_URL is https), which makes the cookies Secure and `__Host-`.
 */
export function getAuthOptions(https = false): AuthOptions {
  const { env, console: engine } = getLatchkey();
  const secure = https || (env.publicUrl?.startsWith("https://") ?? false);
  const known = cached.get(secure);
  if (known) return known;
  const options: AuthOptions = {
    secret: ensureAuthSecret(env.dataDir, env.authSecret),
    session: { strategy: "jwt", maxAge: env.session.absoluteTimeoutSeconds },
    pages: { signIn: "/login", error: "/login" },
    useSecureCookies: secure,
    cookies: consoleCookies(secure),
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const result = await signInWithPassword(credentials, {
            ip: clientIp(req?.headers),
            userAgent: header(req?.headers, "user-agent") ?? null,
            via: "console",
          });
          if (!result.ok && result.reason === "RATE_LIMITED") throw new Error(SIGN_IN_RATE_LIMITED);
          if (!result.ok) return null;
          const { account, token } = result;
          return { id: account.id, email: account.email, name: account.name, latchkeyToken: token };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user?.latchkeyToken) token.lk = user.latchkeyToken;
        return token;
      },
      async session({ session, token }) {
        const result = await engine.resolveSession(token.lk, await consoleOrigin());
        if (!result.authenticated) return { expires: session.expires, refused: result.reason };
        if (!result.user.consoleRole || !result.user.email) return { expires: session.expires, refused: "NOT_A_CONSOLE_ACCOUNT" };
        return {
          expires: session.expires,
          sessionId: result.session.id,
          userId: result.user.id,
          role: result.user.consoleRole,
          authenticatedAt: result.session.authenticatedAt?.toISOString() ?? null,
          mustChangePassword: result.user.mustChangePassword,
          user: { name: result.user.name, email: result.user.email },
        };
      },
    },
    events: {
      async signOut({ token }) {
        const parsed = parseToken("session", token?.lk);
        if (!parsed) return;
        const result = await engine.resolveSession(token.lk);
        if (!result.authenticated) return;
        await engine.revokeSession(
          parsed.id,
          { reason: "SIGNED_OUT" },
          { type: "user", id: result.user.id, label: result.user.email ?? result.user.id },
        );
      },
    },
  };
  cached.set(secure, options);
  return options;
}
