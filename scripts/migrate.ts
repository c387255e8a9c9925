// `npm run migrate`: applies pending migrations to DATABASE_URL (the server also does this at start).
import { applyMigrations } from "../lib/db/migrate";
import { redactDatabaseUrl } from "../lib/db/url";

async function main() {
  const url = process.env.DATABASE_URL || undefined;
  const applied = await applyMigrations(url);
  const target = redactDatabaseUrl(url ?? "file:./data/latchkey.db");
  console.info(applied.length > 0 ? `applied ${applied.join(", ")} to ${target}` : `${target} is up to date`);
}

main().catch((error: unknown) => {
  console.error(`migrate: ${(error as Error).message}`);
  process.exit(1);
});
