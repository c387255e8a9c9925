// Better Auth's get-session in bare node:http, on its own SQLite file, as the HTTP benchmark's
// baseline. BETTER_AUTH_COOKIE_CACHE=1 turns its cookie cache on (its fastest configuration).
// Usage: node bench/servers/better-auth.mjs <sqlite file> <port>
import { createServer } from "node:http";
import { toNodeHandler } from "better-auth/node";
import { auth } from "./better-auth-instance.mjs";

const [, port] = process.argv.slice(2);
const handle = toNodeHandler(auth);
createServer((request, response) => handle(request, response)).listen(Number(port), () => console.info(`better-auth listening on ${port}`));
