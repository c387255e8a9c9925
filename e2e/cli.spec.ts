import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { BASE_URL, apiKeys, client, createAccountThroughConsole, sessionRow, signIn } from "./fixtures";

const BIN = path.join(process.cwd(), "bin", "latchkey.mjs");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real latchkey binary with its own config folder. */
function latchkey(configDir: string, args: string[], stdin = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, HOME: configDir, LATCHKEY_CONFIG_DIR: path.join(configDir, "latchkey"), LATCHKEY_URL: "", LATCHKEY_API_KEY: "" };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function freshConfig(): string {
  return mkdtempSync(path.join(tmpdir(), "latchkey-cli-"));
}

test("login keeps a 0600 session file; list, show, label, revoke, log out everywhere, debug, stats and logout work, in tables and --json", async () => {
  test.setTimeout(120_000);
  const home = freshConfig();
  const login = await latchkey(home, ["login", "--url", BASE_URL], `${apiKeys().all}\n`);
  expect(login.stderr).toContain("API key (lka_…) or console email: ");
  expect(login.code, login.stderr).toBe(0);
  expect(login.stdout).toMatch(/^Signed in to http:\/\/localhost:\d+ as API key "[^"]+" \(sessions:read, sessions:write, sessions:admin, oauth-states, service-sessions\)/);
  const file = path.join(home, "latchkey", "session.json");
  expect(statSync(file).mode & 0o777).toBe(0o600);

  const whoami = JSON.parse((await latchkey(home, ["whoami", "--json"])).stdout) as { url: string; principal: { type: string; scopes: string[] } };
  expect(whoami.url).toBe(BASE_URL);
  expect(whoami.principal).toMatchObject({ type: "api_key" });
  expect(whoami.principal.scopes).toContain("sessions:admin");

  const userId = `cli-${Date.now()}`;
  const created = [];
  for (let i = 0; i < 3; i++) created.push(await client("all").createSession({ userId, ip: `192.0.2.${i + 1}`, userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0" }));

  const listed = await latchkey(home, ["sessions", "list", "--user", userId]);
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout.split("\n")[0]).toMatch(/^ID\s+APP\s+USER\s+STATUS\s+DEVICE\s+IP\s+CREATED\s+LAST SEEN$/);
  for (const { session } of created) expect(listed.stdout).toContain(session.id);
  expect(listed.stdout).toContain("Firefox on Linux");
  const page = JSON.parse((await latchkey(home, ["sessions", "list", "--user", userId, "--ip", "192.0.2.1", "--json"])).stdout) as { items: { id: string }[] };
  expect(page.items.map((item) => item.id)).toEqual([created[0]!.session.id]);

  const shown = JSON.parse((await latchkey(home, ["sessions", "show", created[0]!.session.id, "--json"])).stdout) as { status: string };
  expect(shown.status).toBe("active");
  const labelled = await latchkey(home, ["sessions", "label", created[0]!.session.id, "Build", "server"]);
  expect(labelled.stdout).toContain('is now labelled "Build server"');

  const revoked = await latchkey(home, ["sessions", "revoke", created[0]!.session.id, "--reason", "ticket 12"]);
  expect(revoked.code, revoked.stderr).toBe(0);
  expect(revoked.stdout).toBe(`Session ${created[0]!.session.id} revoked.\n`);
  expect((await client("all").getSession(created[0]!.session.id)).session).toMatchObject({ status: "revoked", revokeNote: "ticket 12" });

  const everywhere = JSON.parse((await latchkey(home, ["users", "logout-everywhere", userId, "--reason", "ticket 13", "--json"])).stdout) as { revoked: number };
  expect(everywhere.revoked).toBe(2);
  const after = await client("all").listSessions({ user: userId, status: "active" });
  expect(after.items).toHaveLength(0);

  const debug = await latchkey(home, ["debug", created[1]!.token]);
  expect(debug.stdout).toMatch(/^REVOKED: Session \S+ of cli-\d+ was revoked at .+ \(log out everywhere, ticket 13\)\./);
  expect(debug.stdout).not.toContain(created[1]!.token.split(".")[1]!);

  const stats = JSON.parse((await latchkey(home, ["stats", "--json"])).stdout) as { active: number; revokedLast24h: number };
  expect(stats.active).toEqual(expect.any(Number));
  expect(stats.revokedLast24h).toBeGreaterThanOrEqual(3);

  const logout = await latchkey(home, ["logout"]);
  expect(logout.stdout).toContain("Signed out");
  const gone = await latchkey(home, ["whoami"]);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toBe("latchkey: Not signed in: run `latchkey login --url https://your-latchkey` first.\n");
});

test("`latchkey debug -` reads the token from standard input, so it stays out of shell history and process lists", async () => {
  const home = freshConfig();
  expect((await latchkey(home, ["login", "--url", BASE_URL, "--key", apiKeys().all])).code).toBe(0);
  const userId = `cli-stdin-${Date.now()}`;
  const { token, session } = await client("all").createSession({ userId });
  await client("all").revokeSession(session.id, { note: "ticket 31" });

  const args = ["debug", "-"];
  const debug = await latchkey(home, args, `${token}\n`);
  expect(debug.code, debug.stderr).toBe(0);
  // The verdict is the token's, though only "-" was on the command line.
  expect(debug.stdout).toMatch(new RegExp(`^REVOKED: Session ${session.id} of ${userId} was revoked at .+ticket 31`));
  expect(`${debug.stdout}${debug.stderr}`).not.toContain(token.split(".")[1]!);
  const json = JSON.parse((await latchkey(home, ["debug", "-", "--json"], `${token}\n`)).stdout) as { verdict: string };
  expect(json.verdict).toBe("REVOKED");

  // Nothing on standard input: a usage error, not a diagnosis of "-".
  const empty = await latchkey(home, ["debug", "-"], "");
  expect(empty.code).toBe(2);
  expect(empty.stderr).toContain("or - to read it from standard input");
});

test("sweep shows its progress and reports what it deleted; --dry-run only counts", async () => {
  test.setTimeout(60_000);
  const home = freshConfig();
  expect((await latchkey(home, ["login", "--url", BASE_URL, "--key", apiKeys().all])).code).toBe(0);
  for (let i = 0; i < 4; i++) await client("all").createSession({ userId: `cli-sweep-${Date.now()}`, idleTimeoutSeconds: 1, absoluteTimeoutSeconds: 1 });
  await new Promise((resolve) => setTimeout(resolve, 3500)); // expired, and past the e2e server's 2 s retention

  const preview = JSON.parse((await latchkey(home, ["sweep", "--dry-run", "--json"])).stdout) as { total: number; dryRun: boolean };
  expect(preview.dryRun).toBe(true);
  expect(preview.total).toBeGreaterThanOrEqual(4);

  const swept = await latchkey(home, ["sweep", "--step", "2", "--json"]);
  expect(swept.code, swept.stderr).toBe(0);
  const progress = swept.stderr.trim().split("\n");
  expect(progress.length).toBeGreaterThanOrEqual(3); // 0 %, steps of two, the end
  expect(progress[0]).toMatch(/^\[\.{30}\] 0% 0\/\d+$/);
  expect(progress.at(-1)).toMatch(/^\[#{30}\] 100% (\d+)\/\1$/);
  expect((JSON.parse(swept.stdout) as { total: number }).total).toBeGreaterThanOrEqual(4);
  expect((JSON.parse((await latchkey(home, ["sweep", "--dry-run", "--json"])).stdout) as { total: number }).total).toBe(0);
});

test("each failure is one line and a non-zero exit: unreachable server, bad key, missing scope, unsafe session file, bad usage", async () => {
  test.setTimeout(60_000);
  const home = freshConfig();

  const unreachable = await latchkey(home, ["login", "--url", "http://127.0.0.1:3999", "--key", apiKeys().all]);
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toMatch(/^latchkey: Cannot reach Latchkey at http:\/\/127\.0\.0\.1:3999: ECONNREFUSED\.\n$/);

  const badKey = await latchkey(home, ["login", "--url", BASE_URL, "--key", `lka_${"A".repeat(22)}.${"B".repeat(43)}`]);
  expect(badKey.code).toBe(1);
  expect(badKey.stderr).toMatch(/^latchkey: Refused by http:\/\/localhost:\d+: The API key is unknown or revoked\.\n$/);

  const notAKey = await latchkey(home, ["login", "--url", BASE_URL, "--key", "hunter2"]);
  expect(notAKey.code).toBe(2);
  expect(notAKey.stderr).toContain("That is not an API key (lka_…) or an email");

  expect((await latchkey(home, ["login", "--url", BASE_URL, "--key", apiKeys().read])).code).toBe(0);
  const scope = await latchkey(home, ["sweep"]);
  expect(scope.code).toBe(1);
  expect(scope.stderr).toBe("latchkey: This API key lacks the sessions:admin scope.\n");

  const invalid = await latchkey(home, ["sessions", "list", "--status", "sleeping"]);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toMatch(/^latchkey: .*status.*\[400 VALIDATION_FAILED\]\n$/);

  chmodSync(path.join(home, "latchkey", "session.json"), 0o644);
  const unsafe = await latchkey(home, ["whoami"]);
  expect(unsafe.code).toBe(1);
  expect(unsafe.stderr).toMatch(/session\.json can be read by others \(mode 644\); it holds a credential\. Run `chmod 600 .+` or log in again\.\n$/);

  const unknown = await latchkey(home, ["frobnicate"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("latchkey: Unknown command frobnicate.");
  const badOption = await latchkey(home, ["sessions", "list", "--colour", "red"]);
  expect(badOption.code).toBe(2);
  expect(badOption.stderr).toContain("Unknown option '--colour'");
});

test("an operator signs in with a console account: the role decides what the CLI may do, and logout ends the session", async ({ browser }) => {
  test.setTimeout(90_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin);
  const support = await createAccountThroughConsole(admin, browser, "SUPPORT");
  // (The helper has the account choose its own password: a one-time password is refused here.)
  const home = freshConfig();

  const wrong = await latchkey(home, ["login", "--url", BASE_URL, "--email", support.email], "not the password\n");
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain("Password: ");
  expect(wrong.stderr).toMatch(/latchkey: Refused by http:\/\/localhost:\d+: Wrong email or password, or the account is disabled\.\n$/);

  const login = await latchkey(home, ["login", "--url", BASE_URL], `${support.email}\n${support.password}\n`);
  expect(login.code, login.stderr).toBe(0);
  expect(login.stdout).toContain(`as ${support.email} (SUPPORT) (sessions:read, sessions:write)`);
  const whoami = JSON.parse((await latchkey(home, ["whoami", "--json"])).stdout) as { principal: { type: string; id: string; role: string } };
  expect(whoami.principal).toMatchObject({ type: "user", role: "SUPPORT" });

  const userId = `cli-person-${Date.now()}`;
  await client("all").createSession({ userId });
  // User ids are per application: an operator names the application.
  const unnamed = await latchkey(home, ["users", "logout-everywhere", userId, "--reason", "ticket 21"]);
  expect(unnamed.code).toBe(1);
  expect(unnamed.stderr).toContain("name the application");
  const everywhere = await latchkey(home, ["users", "logout-everywhere", userId, "--reason", "ticket 21", "--app", "default"]);
  expect(everywhere.code, everywhere.stderr).toBe(0);
  const [ended] = (await client("all").listSessions({ user: userId })).items;
  expect(ended).toMatchObject({ status: "revoked", revokedBy: `user:${support.email}`, revokeNote: "ticket 21" });

  const sweep = await latchkey(home, ["sweep"]);
  expect(sweep.code).toBe(1);
  expect(sweep.stderr).toBe("latchkey: A SUPPORT account lacks the sessions:admin scope.\n");

  // The account's own console sessions: out of every API key's reach, listed for the operator.
  expect((await client("all").listSessions({ user: whoami.principal.id })).items).toHaveLength(0);
  const listed = JSON.parse((await latchkey(home, ["sessions", "list", "--user", whoami.principal.id, "--status", "active", "--json"])).stdout) as {
    items: { id: string; appId: string; metadata: { via?: string } }[];
  };
  const mine = listed.items.filter((s) => s.metadata.via === "cli");
  expect(mine).toHaveLength(1);
  expect(mine[0]!.appId).toBe("console");
  const logout = await latchkey(home, ["logout"]);
  expect(logout.stdout).toContain("session ended");
  expect(sessionRow(mine[0]!.id)).toMatchObject({ revokedReason: "SIGNED_OUT" });
});
