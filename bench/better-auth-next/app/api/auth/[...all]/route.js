// Better Auth mounted the way its docs show for Next.js: a catch-all route handler.
import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "../../../../../servers/better-auth-instance.mjs";

export const { GET, POST } = toNextJsHandler(auth);
