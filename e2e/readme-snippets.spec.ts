import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createLatchkeyClient } from "@latchkey/client";
import { BASE_URL, keyOf, operatorClient } from "./fixtures";

// README's "Connect your app" as a reader would use it: each block marked `<!-- tested: … -->` is
// run as written, in a project outside this repository that installs the packed packages; each
// block marked `<!-- excerpt: FILE -->` is found, as written, in the file it quotes (the example
// app, which e2e/example-app.spec.ts runs).

const root = process.cwd();
const readme = readFileSync(path.join(root, "README.md"), "utf8");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
const tsx = path.join(root, "node_modules", "tsx", "dist", "esm", "index.mjs");

function blocks(kind: "tested" | "excerpt"): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of readme.matchAll(new RegExp(`<!-- ${kind}: (\\S+) -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n`, "g"))) found.set(match[1]!, match[2]!);
  return found;
}

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

async function freshApp(prefix: string): Promise<{ appId: string; key: string }> {
  const { application } = await (await operatorClient()).createApplication({ name: `${prefix}-${Date.now()}` });
  return { appId: application.id, key: keyOf(application.id) };
}

test("every excerpt in README's 'Connect your app' is in the file it quotes, as written", () => {
  const excerpts = blocks("excerpt");
  expect([...excerpts.keys()].sort()).toEqual(["examples/next-app/app/signin/page.tsx", "examples/next-app/lib/auth.ts", "examples/next-app/lib/latchkey.ts"]);
  for (const [file, code] of excerpts) expect(readFileSync(path.join(root, file), "utf8"), file).toContain(code);
});

test("README's plain-HTTP snippet runs with curl and jq against a live Latchkey and prints what it says", async () => {
  const { key } = await freshApp("readme-http");
  const output = execFileSync("bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", blocks("tested").get("plain-http.sh")!], {
    env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", LATCHKEY_URL: BASE_URL, LATCHKEY_API_KEY: key },
    encoding: "utf8",
  });
  expect(output.trim().split("\n").map((line) => JSON.parse(line))).toEqual([
    { authenticated: true, user: "user_123" },
    { revoked: true },
    { authenticated: false, reason: "REVOKED", revokedReason: "SIGNED_OUT" },
  ]);
});

test("both packages, packed and installed outside the repository, type-check under strict with README's Express app and webhook receiver, and run against a live Latchkey", async () => {
  test.setTimeout(180_000);
  const { appId, key } = await freshApp("readme-node");
  const scratch = mkdtempSync(path.join(tmpdir(), "latchkey-readme-app-"));
  let server: ReturnType<typeof spawn> | null = null;
  let receiverProcess: ReturnType<typeof spawn> | null = null;
  try {
    for (const workspace of ["client", "authjs-adapter"]) {
      execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: path.join(root, "packages", workspace), stdio: "pipe" });
    }
    const tarballs = readdirSync(scratch).filter((name) => name.endsWith(".tgz")).sort();
    expect(tarballs).toEqual(["latchkey-authjs-adapter-0.1.0.tgz", "latchkey-client-0.1.0.tgz"]);
    writeFileSync(
      path.join(scratch, "package.json"),
      JSON.stringify({
        name: "an-app",
        private: true,
        type: "module",
        dependencies: { "@latchkey/client": `file:./${tarballs[1]}`, "@latchkey/authjs-adapter": `file:./${tarballs[0]}`, express: versionOf("express") },
        devDependencies: { "@types/node": versionOf("@types/node"), "@types/express": versionOf("@types/express") },
      }),
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"], { cwd: scratch, stdio: "pipe" });
    // The adapter brings the client and nothing else.
    const tree = JSON.parse(execFileSync("npm", ["ls", "--all", "--json", "--omit=dev"], { cwd: scratch, encoding: "utf8" })) as {
      dependencies: Record<string, { dependencies?: Record<string, unknown> }>;
    };
    expect(Object.keys(tree.dependencies["@latchkey/authjs-adapter"]?.dependencies ?? {})).toEqual(["@latchkey/client"]);

    writeFileSync(path.join(scratch, "express-app.ts"), blocks("tested").get("express-app.ts")!);
    writeFileSync(
      path.join(scratch, "users.ts"),
      `export async function checkPassword(email: string, password: string): Promise<{ id: string; email: string } | null> {
  return email === "ada@example.com" && password === "correct horse battery staple" ? { id: "ada", email } : null;
}
`,
    );
    // An Auth.js app's adapter (users only, as in memory) with its sessions moved to Latchkey.
    writeFileSync(
      path.join(scratch, "adapter-app.ts"),
      `import { withLatchkeySessions } from "@latchkey/authjs-adapter";

interface User { id: string; email: string; emailVerified: Date | null }
const users = new Map<string, User>([["grace", { id: "grace", email: "grace@example.com", emailVerified: null }]]);
const adapter = withLatchkeySessions(
  { getUser: async (id: string): Promise<User | null> => users.get(id) ?? null },
  { client: { baseUrl: process.env.LATCHKEY_URL!, apiKey: process.env.LATCHKEY_API_KEY! }, clientInfo: () => ({ userAgent: "adapter-app" }) },
);
const created = await adapter.createSession({ sessionToken: "made-up-by-auth-js", userId: "grace", expires: new Date(Date.now() + 86_400_000) });
const found = await adapter.getSessionAndUser(created.sessionToken);
const email: string | undefined = found?.user.email;
await adapter.deleteSession(created.sessionToken);
console.log(JSON.stringify({ latchkeyToken: created.sessionToken.startsWith("lks_"), email, afterSignOut: await adapter.getSessionAndUser(created.sessionToken) }));
`,
    );
    writeFileSync(path.join(scratch, "webhook-receiver.ts"), blocks("tested").get("webhook-receiver.ts")!);
    writeFileSync(
      path.join(scratch, "realtime.ts"),
      `export async function endSessions(which: { userId: string | null; sessionId: string | null; why: string | null }): Promise<void> {
  console.log(JSON.stringify({ ended: which }));
}
`,
    );
    writeFileSync(
      path.join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: ["node"], noEmit: true, skipLibCheck: false },
      }),
    );
    execFileSync(process.execPath, [tsc, "-p", "."], { cwd: scratch, stdio: "pipe" });

    // Development: plain-http cookies (the snippet's `secure`).
    const env: NodeJS.ProcessEnv = { NODE_ENV: "development", PATH: process.env.PATH ?? "", LATCHKEY_URL: BASE_URL, LATCHKEY_API_KEY: key };
    const adapterRun = JSON.parse(execFileSync(process.execPath, ["--import", tsx, "adapter-app.ts"], { cwd: scratch, env, encoding: "utf8" }).trim()) as unknown;
    expect(adapterRun).toEqual({ latchkeyToken: true, email: "grace@example.com", afterSignOut: null });

    // README's Express app: sign in, a session on each request, and the words for a signed-out person.
    const port = 3231;
    let output = "";
    const child = spawn(process.execPath, ["--import", tsx, "express-app.ts"], { cwd: scratch, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
    server = child;
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const app = `http://127.0.0.1:${port}`;
    await expect(async () => expect((await fetch(`${app}/account`)).status).toBe(401)).toPass({ timeout: 20_000 });
    const login = (password: string) =>
      fetch(`${app}/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.50", "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0" },
        body: JSON.stringify({ email: "ada@example.com", password }),
      });
    expect((await login("wrong")).status).toBe(401);
    const signedIn = await login("correct horse battery staple");
    expect(signedIn.status, output).toBe(200);
    const cookie = signedIn.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^latchkey_session=lks_[^;]+; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    const headers = { cookie: cookie.split(";")[0]! };
    expect(await (await fetch(`${app}/account`, { headers })).json()).toEqual({ user: "ada" });
    const latchkey = createLatchkeyClient({ baseUrl: BASE_URL, apiKey: key });
    expect((await latchkey.listUserSessions("ada")).items).toEqual([expect.objectContaining({ ip: "203.0.113.50", browser: "Firefox", os: "Linux" })]);
    expect(await (await operatorClient(appId)).diagnose({ user: "ada@example.com" })).toMatchObject({ verdict: "ACTIVE" });

    await (await operatorClient(appId)).revokeUserSessions("ada", { note: "ticket 4711" });
    const refused = await fetch(`${app}/account`, { headers });
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as { error: { code: string; reason: string; message: string } };
    expect(body.error).toMatchObject({ code: "SESSION_ENDED", reason: "REVOKED", revokeNote: "ticket 4711" });
    expect(body.error.message).toMatch(/^You were signed out by admin@e2e\.test at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC: ticket 4711\.$/);
    expect(refused.headers.get("set-cookie")).toMatch(/^latchkey_session=; /);

    // README's webhook receiver, given an endpoint's secret: a revocation reaches it, checked; an altered body does not.
    const receiverPort = 3232;
    const { secret } = await (await operatorClient()).createWebhook(appId, { url: `http://127.0.0.1:${receiverPort}/webhooks/latchkey`, eventTypes: ["session.revoked"] });
    let heard = "";
    const hook = spawn(process.execPath, ["--import", tsx, "webhook-receiver.ts"], { cwd: scratch, env: { ...env, PORT: String(receiverPort), LATCHKEY_WEBHOOK_SECRET: secret }, stdio: ["ignore", "pipe", "pipe"] });
    receiverProcess = hook;
    hook.stdout?.on("data", (chunk: Buffer) => (heard += chunk.toString()));
    hook.stderr?.on("data", (chunk: Buffer) => (heard += chunk.toString()));
    await expect(async () => expect((await fetch(`http://127.0.0.1:${receiverPort}/webhooks/latchkey`, { method: "POST", body: "{}" })).status).toBe(400)).toPass({ timeout: 20_000 });
    const { session: ended } = await latchkey.createSession({ userId: "ada" });
    await latchkey.revokeSession(ended.id, { note: "lost laptop" });
    await expect.poll(() => heard, { timeout: 15_000 }).toContain(JSON.stringify({ ended: { userId: "ada", sessionId: ended.id, why: "lost laptop" } }));
    const forged = await fetch(`http://127.0.0.1:${receiverPort}/webhooks/latchkey`, {
      method: "POST",
      headers: { "content-type": "application/json", "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
      body: JSON.stringify({ type: "user.logged_out_everywhere", data: { userId: "ada" } }),
    });
    expect(forged.status).toBe(400);
  } finally {
    receiverProcess?.kill("SIGTERM");
    server?.kill("SIGTERM");
    rmSync(scratch, { recursive: true, force: true });
  }
});
