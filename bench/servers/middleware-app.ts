// An application server for bench/middleware.ts: `node --import tsx bench/servers/middleware-app.ts
// bare|middleware PORT LATCHKEY_URL API_KEY`. Both answer the same small JSON; "middleware"
// resolves each request's session cookie through @latchkey/client's middleware first.
import { createServer } from "node:http";
import { createLatchkeyClient } from "../../packages/client/src/index.ts";
import { latchkeyMiddleware, type LatchkeyRequest } from "../../packages/client/src/express.ts";

const [mode, port, baseUrl, apiKey] = process.argv.slice(2);
const middleware = latchkeyMiddleware({ client: createLatchkeyClient({ baseUrl: baseUrl!, apiKey: apiKey! }), secureCookie: false });

function answer(request: LatchkeyRequest, response: import("node:http").ServerResponse) {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ ok: true, user: request.latchkey?.user.id ?? null }));
}

createServer((request: LatchkeyRequest, response) => {
  if (mode === "bare") return answer(request, response);
  void middleware(request, response, () => answer(request, response));
}).listen(Number(port), "127.0.0.1");
