// `npm run api-key -- create --name NAME --scopes sessions:read,sessions:write`
// `npm run api-key -- list` · `npm run api-key -- revoke ID`
// Works on DATABASE_URL directly (the server need not run); prints a new key once.
import { parseArgs } from "node:util";
import { createApiKey, revokeApiKey } from "../lib/api/keys";
import { API_SCOPES } from "../lib/api/scopes";
import { applyMigrations } from "../lib/db/migrate";
import { getLatchkey } from "../lib/server/latchkey";
import { isSessionError } from "../lib/sessions/errors";

const USAGE = `usage:
  npm run api-key -- create --name NAME --scopes SCOPE[,SCOPE…]   (scopes: ${API_SCOPES.join(", ")})
  npm run api-key -- list
  npm run api-key -- revoke ID`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: "string" }, scopes: { type: "string" }, json: { type: "boolean" } },
  });
  const [command, id] = positionals;
  const latchkey = getLatchkey();
  await applyMigrations(latchkey.env.databaseUrl);
  const actor = { type: "system" as const, label: "cli" };
  try {
    switch (command) {
      case "create": {
        const scopes = (values.scopes ?? "").split(",").map((scope) => scope.trim()).filter(Boolean);
        const { key, apiKey } = await createApiKey(latchkey.apiKeys, { name: values.name ?? "", scopes: scopes as never }, actor);
        if (values.json) console.info(JSON.stringify({ key, ...apiKey }));
        else console.info(`Created API key "${apiKey.name}" (${apiKey.id}) with scopes ${apiKey.scopes.join(", ")}.\nKey (shown only now):\n${key}`);
        return 0;
      }
      case "list": {
        const keys = await latchkey.apiKeys.listApiKeys();
        if (values.json) console.info(JSON.stringify(keys));
        else
          for (const key of keys) {
            console.info(`${key.id}  ${key.revokedAt ? "revoked" : "active "}  ${key.name}  [${key.scopes.join(", ")}]  last used ${key.lastUsedAt?.toISOString() ?? "never"}`);
          }
        return 0;
      }
      case "revoke": {
        if (!id) break;
        const revoked = await revokeApiKey(latchkey.apiKeys, id, actor);
        console.info(revoked ? `Revoked ${id}.` : `No live API key ${id}.`);
        return revoked ? 0 : 1;
      }
    }
  } catch (error) {
    if (isSessionError(error)) {
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

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`api-key: ${(error as Error).message}`);
    process.exit(1);
  },
);
