import { createLatchkeyClient } from "@latchkey/client";
import { createLatchkeyNext } from "@latchkey/client/next";

/** The app's client of Latchkey, with its API key (checked at start, in instrumentation.ts): server side only. */
export const latchkey = createLatchkeyClient({ baseUrl: process.env.LATCHKEY_URL ?? "http://localhost:3000", apiKey: process.env.LATCHKEY_API_KEY ?? "" });

/** Over https next-auth names its cookie `__Secure-next-auth.session-token`. */
export const secure = (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
export const sessionCookie = `${secure ? "__Secure-" : ""}next-auth.session-token`;

/** The request's session straight from Latchkey, and why it ended when it has. */
export const { getLatchkeySession } = createLatchkeyNext({ client: latchkey, cookie: sessionCookie, secureCookie: secure });
