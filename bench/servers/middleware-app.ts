// An application server for bench/middleware.ts: `node --import tsx bench/servers/middleware-app.ts
// bare|middleware PORT LATCHKEY_URL API_KEY`. Both are the same small Express app answering JSON;
// "middleware" resolves each request's session cookie through @latchkey/client's middleware first.
import express from "express";
import { createLatchkeyClient } from "../../packages/client/src/index.ts";
import { latchkeyMiddleware, type LatchkeyRequest } from "../../packages/client/src/express.ts";

const [mode, port, baseUrl, apiKey] = process.argv.slice(2);
const app = express();
app.set("etag", false);
if (mode === "middleware") app.use(latchkeyMiddleware({ client: createLatchkeyClient({ baseUrl: baseUrl!, apiKey: apiKey! }), secureCookie: false }));
app.get("/", (request, response) => {
  response.json({ ok: true, user: (request as LatchkeyRequest).latchkey?.user.id ?? null });
});
app.listen(Number(port), "127.0.0.1");
