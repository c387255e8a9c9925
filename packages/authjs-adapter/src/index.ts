import { createLatchkeyClient, isLatchkeyApiError, sessionIdOfToken, type ClientInfo, type LatchkeyClient, type LatchkeyClientOptions } from "@latchkey/client";

/** A session as Auth.js adapters hand it around (next-auth 4's AdapterSession and @auth/core's alike). */
export interface AdapterSessionLike {
  sessionToken: string;
  userId: string;
  expires: Date;
}

/** The part of an Auth.js adapter this wraps: any adapter with users (and, unused here, sessions). */
export interface AdapterLike {
  getUser?: ((id: string) => unknown) | undefined;
  deleteUser?: ((id: string) => unknown) | undefined;
  createSession?: unknown;
  getSessionAndUser?: unknown;
  updateSession?: unknown;
  deleteSession?: unknown;
}

type UserOf<A extends AdapterLike> = A["getUser"] extends (id: string) => infer R ? NonNullable<Awaited<R>> : never;

/** The adapter with its session methods answered by Latchkey. */
export type WithLatchkeySessions<A extends AdapterLike> = Omit<A, "createSession" | "getSessionAndUser" | "updateSession" | "deleteSession"> & {
  createSession(session: AdapterSessionLike): Promise<AdapterSessionLike>;
  getSessionAndUser(sessionToken: string): Promise<{ session: AdapterSessionLike; user: UserOf<A> } | null>;
  updateSession(session: Partial<AdapterSessionLike> & Pick<AdapterSessionLike, "sessionToken">): Promise<AdapterSessionLike | null>;
  deleteSession(sessionToken: string): Promise<null>;
};

export interface LatchkeySessionsOptions {
  /** A client of your application's API key, or what to make one from. */
  client: LatchkeyClient | LatchkeyClientOptions;
  /**
   * The signing-in person's address and browser, recorded on the session (the devices they see,
   * the console's debugger). Called inside Auth.js's request: in Next.js, read `headers()`.
   */
  clientInfo?: () => ClientInfo | Promise<ClientInfo>;
}

/**
 * Wraps an Auth.js adapter (for example `PrismaAdapter(prisma)`) so that its sessions live in
 * Latchkey: users and accounts stay where the adapter keeps them; sessions are created, resolved,
 * refreshed and ended through Latchkey's API, so they are revocable, listed as devices, explained
 * by the debugger and ended by "log out everywhere". For the database session strategy.
 *
 * The session token Auth.js puts in its cookie is Latchkey's (Auth.js sets whatever
 * createSession returns); `expires` is the session's idle expiry, which every use slides up to the
 * absolute cap of the application's policy. That policy, not Auth.js's `maxAge`, decides how long
 * sessions live.
 */
export function withLatchkeySessions<A extends AdapterLike>(adapter: A, options: LatchkeySessionsOptions): WithLatchkeySessions<A> {
  const latchkey = "resolveSession" in options.client ? options.client : createLatchkeyClient(options.client);
  const clientInfo = async () => (options.clientInfo ? await options.clientInfo() : {});

  async function userOf(id: string): Promise<UserOf<A> | null> {
    if (!adapter.getUser) throw new Error("withLatchkeySessions needs an adapter with getUser");
    return ((await adapter.getUser(id)) ?? null) as UserOf<A> | null;
  }

  return {
    ...adapter,
    async createSession({ userId }) {
      // How long it lives is the application's policy in Latchkey (idle timeout, absolute cap),
      // not Auth.js's maxAge: one place to change it, with an impact preview. The user's email and
      // name go along, so support finds them in Latchkey's console by email.
      const user = (await userOf(userId)) as { email?: unknown; name?: unknown } | null;
      const profile = {
        ...(typeof user?.email === "string" && user.email ? { email: user.email } : {}),
        ...(typeof user?.name === "string" && user.name ? { name: user.name.slice(0, 200) } : {}),
      };
      const { token, session } = await latchkey.createSession({ userId, ...profile, ...(await clientInfo()) });
      return { sessionToken: token, userId, expires: new Date(session.idleExpiresAt) };
    },

    async getSessionAndUser(sessionToken) {
      if (!sessionIdOfToken(sessionToken)) return null;
      const resolved = await latchkey.resolveSession(sessionToken, await clientInfo());
      if (!resolved.authenticated || !resolved.session) return null;
      const user = await userOf(resolved.session.userId);
      if (!user) return null;
      return { session: { sessionToken, userId: resolved.session.userId, expires: new Date(resolved.session.idleExpiresAt) }, user };
    },

    async updateSession({ sessionToken }) {
      if (!sessionIdOfToken(sessionToken)) return null;
      try {
        const { session } = await latchkey.refreshSession(sessionToken, await clientInfo());
        return { sessionToken, userId: session.userId, expires: new Date(session.idleExpiresAt) };
      } catch (error) {
        // An ended session: Auth.js signs the person out.
        if (isLatchkeyApiError(error) && error.status === 401 && error.code !== "UNAUTHORIZED") return null;
        throw error;
      }
    },

    // A deleted user's sessions end in Latchkey too (Auth.js's contract: no session outlives its
    // user), so they are not left live in the console and the devices list.
    ...(adapter.deleteUser
      ? {
          async deleteUser(id: string) {
            const deleted = await adapter.deleteUser!(id);
            await latchkey.revokeUserSessions(id, { reason: "LOGGED_OUT_EVERYWHERE", note: "account deleted" });
            return deleted;
          },
        }
      : {}),

    async deleteSession(sessionToken) {
      const id = sessionIdOfToken(sessionToken);
      if (!id) return null;
      try {
        await latchkey.revokeSession(id, { reason: "SIGNED_OUT" });
      } catch (error) {
        // Already gone (swept, or of another application): signing out is done either way.
        if (!isLatchkeyApiError(error) || error.code !== "SESSION_NOT_FOUND") throw error;
      }
      return null;
    },
  } as WithLatchkeySessions<A>;
}
