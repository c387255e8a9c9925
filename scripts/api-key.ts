// `npm run api-key -- create --app APP --name NAME --scopes sessions:read,sessions:write`
// `npm run api-key -- list [--app APP]` · `npm run api-key -- revoke ID` · `npm run api-key -- create-app NAME`
// Works on DATABASE_URL directly (the server need not run); prints a new key once.
import { parseArgs } from "node:util";
import { createApiKey, revokeApiKey } from "../lib/api/keys";
import { API_SCOPES } from "../lib/api/scopes";
import { settleBuiltInPolicies } from "../lib/db/built-in-applications";
import { applyMigrations } from "../lib/db/migrate";
import { getLatchkey } from "../lib/server/latchkey";
import { isSessionError } from "../lib/sessions/errors";
import { policyFromConfig } from "../lib/sessions/policy";

const USAGE = `usage:
  npm run api-key -- create --app APP --name NAME --scopes SCOPE[,SCOPE…]   (scopes: ${API_SCOPES.join(", ")})
  npm run api-key -- list [--app APP]
  npm run api-key -- revoke ID
  npm run api-key -- create-app NAME
APP is an application's name or id ("default" is there from the start).`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { app: { type: "string" }, name: { type: "string" }, scopes: { type: "string" }, json: { type: "boolean" } },
  });
  const [command, argument] = positionals;
  const latchkey = getLatchkey();
  await applyMigrations(latchkey.env.databaseUrl);
  await settleBuiltInPolicies(latchkey.database, policyFromConfig(latchkey.env.session), new Date());
  const actor = { type: "system" as const, label: "cli" };
  const appNamed = async (name: string | undefined) => {
    if (!name) throw new UsageError("Name the application with --app (its name or id).");
    const app = name === "console" ? null : await latchkey.engine.findApplication(name);
    if (!app) throw new UsageError(`No application is called ${JSON.stringify(name)}: create it with \`npm run api-key -- create-app ${name}\` or in the console.`);
    return app;
  };
  try {
    switch (command) {
      case "create": {
        const app = await appNamed(values.app);
        const scopes = (values.scopes ?? "").split(",").map((scope) => scope.trim()).filter(Boolean);
        const { key, apiKey } = await createApiKey(latchkey.apiKeys, latchkey.engine, { appId: app.id, name: values.name ?? "", scopes: scopes as never }, actor);
        if (values.json) console.info(JSON.stringify({ key, ...apiKey }));
        else console.info(`Created API key "${apiKey.name}" (${apiKey.id}) of ${app.name} with scopes ${apiKey.scopes.join(", ")}.\nKey (shown only now):\n${key}`);
        return 0;
      }
      case "list": {
        const app = values.app ? await appNamed(values.app) : null;
        const keys = await latchkey.apiKeys.listApiKeys(app?.id);
        if (values.json) console.info(JSON.stringify(keys));
        else
          for (const key of keys) {
            console.info(`${key.id}  ${key.revokedAt ? "revoked" : "active "}  ${key.appId}  ${key.name}  [${key.scopes.join(", ")}]  last used ${key.lastUsedAt?.toISOString() ?? "never"}`);
          }
        return 0;
      }
      case "revoke": {
        if (!argument) break;
        const revoked = await revokeApiKey(latchkey.apiKeys, argument, actor);
        console.info(revoked ? `Revoked ${argument}.` : `No live API key ${argument}.`);
        return revoked ? 0 : 1;
      }
      case "create-app": {
        if (!argument) break;
        const app = await latchkey.engine.createApplication({ name: argument }, actor);
        if (values.json) console.info(JSON.stringify(app));
        else console.info(`Created application ${app.name} (${app.id}) with the environment's session policy.`);
        return 0;
      }
    }
  } catch (error) {
    if (isSessionError(error) || error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  } finally {
    await latchkey.database.close();
  }
  console.error(USAGE);
  return 2;
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`api-key: ${(error as Error).message}`);
    process.exit(1);
  },
);
