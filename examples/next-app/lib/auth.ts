import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { withLatchkeySessions } from "@latchkey/authjs-adapter";
import { headers } from "next/headers";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import EmailProvider from "next-auth/providers/email";
import { prisma } from "./db";
import { latchkey } from "./latchkey";

/**
 * Where sign-in links go without a mail server (EMAIL_SERVER unset): the server's log and a file,
 * one JSON line per link. For trying the example on your machine; set EMAIL_SERVER anywhere else.
 */
const mailbox = process.env.EXAMPLE_MAILBOX ?? path.join("data", "mailbox.jsonl");

export const authOptions: NextAuthOptions = {
  // Users and accounts in this app's database; sessions in Latchkey.
  adapter: withLatchkeySessions(PrismaAdapter(prisma), {
    client: latchkey,
    clientInfo: async () => {
      const agent = (await headers()).get("user-agent");
      return agent ? { userAgent: agent } : {};
    },
  }),
  // Latchkey's application policy decides how long a session lives (idle timeout, absolute cap).
  // maxAge at the idle timeout keeps next-auth from asking to extend the session on every request.
  session: { strategy: "database", maxAge: Number(process.env.SESSION_IDLE_SECONDS ?? 1800), updateAge: 300 },
  pages: { signIn: "/signin", verifyRequest: "/signin?sent=1", error: "/signin" },
  providers: [
    EmailProvider({
      server: process.env.EMAIL_SERVER ?? "smtp://localhost:25",
      from: process.env.EMAIL_FROM ?? "Example app <no-reply@example.test>",
      ...(process.env.EMAIL_SERVER
        ? {}
        : {
            async sendVerificationRequest({ identifier, url }) {
              mkdirSync(path.dirname(mailbox), { recursive: true });
              appendFileSync(mailbox, `${JSON.stringify({ to: identifier, url, at: new Date().toISOString() })}\n`);
              console.info(`sign-in link for ${identifier} written to ${mailbox}`);
            },
          }),
    }),
  ],
  callbacks: {
    session({ session, user }) {
      return { ...session, user: { ...session.user, id: user.id } };
    },
  },
};

/** The signed-in person (id, email), or null. */
export async function currentUser(): Promise<{ id: string; email: string } | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as { id?: string; email?: string | null } | undefined;
  return user?.id ? { id: user.id, email: user.email ?? "" } : null;
}
