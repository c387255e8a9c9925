import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { apiKeys, BASE_URL } from "./fixtures";

// @latchkey/client as an application gets it: `npm pack`, installed from the tarball into a
// project outside this repository (no workspace link), type-checked under strict, and run
// against the live Latchkey, as ESM and as CommonJS.

const root = process.cwd();
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

test("the packed @latchkey/client installs outside the repository, type-checks under strict and talks to a live Latchkey", async () => {
  test.setTimeout(120_000);
  const scratch = mkdtempSync(path.join(tmpdir(), "latchkey-client-app-"));
  try {
    execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: path.join(root, "packages", "client"), stdio: "pipe" });
    const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"))!;
    expect(tarball).toMatch(/^latchkey-client-\d+\.\d+\.\d+\.tgz$/);
    const nodeTypes = (JSON.parse(execFileSync("npm", ["ls", "@types/node", "--json", "--depth=0"], { cwd: root, encoding: "utf8" })) as { dependencies: Record<string, { version: string }> }).dependencies["@types/node"]!.version;
    writeFileSync(
      path.join(scratch, "package.json"),
      JSON.stringify({ name: "an-app", private: true, type: "module", dependencies: { "@latchkey/client": `file:./${tarball}` }, devDependencies: { "@types/node": nodeTypes } }),
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"], { cwd: scratch, stdio: "pipe" });

    writeFileSync(
      path.join(scratch, "app.ts"),
      `import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLatchkeyClient, LatchkeyApiError, readServiceSession, sessionCookieName, type ResolveJson, type SessionJson } from "@latchkey/client";
import { createEdgeSessionCheck } from "@latchkey/client/edge";
import { latchkeyMiddleware, type LatchkeyRequest } from "@latchkey/client/express";
import { createAccessTokenVerifier } from "@latchkey/client/verify";

const latchkey = createLatchkeyClient({ baseUrl: ${JSON.stringify(BASE_URL)}, apiKey: ${JSON.stringify(apiKeys().all)} });
const { token, session } = await latchkey.createSession({ userId: "packaged-app-user", deviceLabel: "from the packed client" });
const resolved: ResolveJson = await latchkey.resolveSession(token, { ip: "198.51.100.7", userAgent: "packed-client-test" });
const listed: SessionJson[] = (await latchkey.listUserSessions("packaged-app-user")).items;
let refused = "";
try {
  await latchkey.getSession("not-a-session-id");
} catch (error) {
  if (error instanceof LatchkeyApiError) refused = error.code;
}
const verify = createAccessTokenVerifier({ issuer: "x", audience: session.appId, jwksUrl: ${JSON.stringify(`${BASE_URL}/.well-known/jwks.json`)} });
let parsed = "";
try {
  readServiceSession("not a service session");
} catch (error) {
  parsed = (error as Error).message;
}

// The middleware, in front of a node:http server of this app.
const middleware = latchkeyMiddleware({ client: latchkey, secureCookie: false });
const server = createServer((request: LatchkeyRequest, response) => {
  void middleware(request, response, () => response.end(request.latchkey?.user.id ?? ""));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
const passed = await (await fetch(\`http://127.0.0.1:\${port}/\`, { headers: { cookie: sessionCookieName({ secure: false }) + "=" + token } })).text();
const refusedByMiddleware = (await fetch(\`http://127.0.0.1:\${port}/\`)).status;
server.close();
console.log(JSON.stringify({ authenticated: resolved.authenticated, user: resolved.user?.id, listed: listed.length, refused, verifier: typeof verify, edge: typeof createEdgeSessionCheck, parsed, passed, refusedByMiddleware }));
`,
    );
    writeFileSync(
      path.join(scratch, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: ["node"], outDir: "out", skipLibCheck: false } }),
    );
    execFileSync(process.execPath, [tsc, "-p", "."], { cwd: scratch, stdio: "pipe" });
    const esm = JSON.parse(execFileSync(process.execPath, ["out/app.js"], { cwd: scratch, encoding: "utf8" }).trim()) as Record<string, unknown>;
    expect(esm).toEqual({
      authenticated: true,
      user: "packaged-app-user",
      listed: 1,
      refused: "SESSION_NOT_FOUND",
      verifier: "function",
      edge: "function",
      parsed: expect.stringContaining("LATCHKEY_SESSION"),
      passed: "packaged-app-user",
      refusedByMiddleware: 401,
    });

    // CommonJS callers get the same API, and errors made by one entry are known to the others.
    writeFileSync(
      path.join(scratch, "app.cjs"),
      `const { createLatchkeyClient } = require("@latchkey/client");
const { createEdgeSessionCheck } = require("@latchkey/client/edge");
const { latchkeyMiddleware } = require("@latchkey/client/express");
const latchkey = createLatchkeyClient({ baseUrl: ${JSON.stringify(BASE_URL)}, apiKey: ${JSON.stringify(apiKeys().all)} });
(async () => {
  const health = await latchkey.health();
  const { token, session } = await latchkey.createSession({ userId: "packaged-cjs-user" });
  await latchkey.revokeSession(session.id, { reason: "REVOKED", note: "checked from CommonJS" });
  const check = createEdgeSessionCheck({ verifier: { issuer: ${JSON.stringify(BASE_URL)}, audience: session.appId, jwksUrl: ${JSON.stringify(`${BASE_URL}/.well-known/jwks.json`)} }, client: latchkey, secureCookie: false });
  const result = await check(new Request("http://app.example/", { headers: { cookie: "latchkey_session=" + token } }));
  console.log(JSON.stringify({ health: health.status, edge: result.ok ? "ok" : result.unavailable ? "unavailable" : result.ended.reason, middleware: typeof latchkeyMiddleware }));
})();
`,
    );
    const cjs = JSON.parse(execFileSync(process.execPath, ["app.cjs"], { cwd: scratch, encoding: "utf8" }).trim()) as Record<string, unknown>;
    expect(cjs).toEqual({ health: "ok", edge: "REVOKED", middleware: "function" });

    // The only runtime dependency is jose; next and react are optional peers of the /next entry, not installed.
    const installed = JSON.parse(execFileSync("npm", ["ls", "--all", "--json", "--omit=dev"], { cwd: scratch, encoding: "utf8" })) as {
      dependencies: Record<string, { dependencies?: Record<string, { version?: string }> }>;
    };
    const brought = Object.entries(installed.dependencies["@latchkey/client"]?.dependencies ?? {}).filter(([, dependency]) => dependency.version);
    expect(brought.map(([name]) => name)).toEqual(["jose"]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
