import { generatePassword, hashPassword } from "../auth/passwords";
import { settleBuiltInPolicies } from "../db/built-in-applications";
import { applyMigrations } from "../db/migrate";
import { redactDatabaseUrl } from "../db/url";
import { systemClock } from "../sessions/clock";
import { CONSOLE_APP_ID, policyFromConfig } from "../sessions/policy";
import { ensureAuthSecret } from "./auth-secret";
import { getLatchkey } from "./latchkey";
import { scheduleSweeps } from "./sweeper";
import { startWebhookDispatcher } from "./webhooks";

/**
 * Runs once as the server starts: applies pending migrations, makes sure a console sign-in
 * secret exists, and creates the first admin when there is no console account yet.
 */
export async function bootstrap(): Promise<void> {
  const { env, users, database } = getLatchkey();
  const applied = await applyMigrations(env.databaseUrl);
  if (applied.length > 0) console.info(`latchkey: applied migrations ${applied.join(", ")} to ${redactDatabaseUrl(env.databaseUrl)}`);
  ensureAuthSecret(env.dataDir, env.authSecret);
  await settleBuiltInPolicies(database, policyFromConfig(env.session), systemClock.now());
  startWebhookDispatcher();
  warmFigures();
  if (env.sweepIntervalSeconds) {
    scheduleSweeps(env.sweepIntervalSeconds);
    console.info(`latchkey: sweeping every ${env.sweepIntervalSeconds} s`);
  }

  if ((await users.countConsoleUsers()) > 0) return;
  const email = env.adminEmail ?? "admin@latchkey.local";
  const password = env.adminPassword ?? generatePassword();
  await users.createConsoleUser(
    // A generated password was printed to the log: it works once, then its owner chooses their own.
    { email, name: "Administrator", role: "ADMIN", passwordHash: await hashPassword(password), mustChangePassword: !env.adminPassword, at: systemClock.now() },
    { appId: CONSOLE_APP_ID, at: systemClock.now(), type: "user.created", actor: { type: "system", label: "first start" }, details: { role: "ADMIN" } },
  );
  const lines = [
    "",
    "  Latchkey created the first admin account.",
    `    email:    ${email}`,
    env.adminPassword ? "    password: the one in LATCHKEY_ADMIN_PASSWORD" : `    password: ${password}`,
    env.adminPassword ? "" : "  This password is shown only this once: sign in with it, then choose your own.",
    "",
  ];
  console.info(lines.join("\n"));
}


/**
 * Computes the overview's figures for all applications and the sweep page's preview in the
 * background, so that at a million sessions the first operator after a start does not wait
 * seconds for them (lib/sessions/figures.ts); an error here only leaves that wait to the page.
 */
function warmFigures(): void {
  const { operator } = getLatchkey();
  void operator
    .getStatistics()
    .then(() => operator.sweepPreview())
    .catch(() => undefined);
}

/** bootstrap(), ending the process with a one-line reason when the server cannot start. */
export async function bootstrapOrExit(): Promise<void> {
  try {
    await bootstrap();
  } catch (error) {
    console.error(`latchkey: cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}
