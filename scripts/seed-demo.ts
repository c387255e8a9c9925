// `npm run seed:demo -- --sessions 1000000 [--users N]`: fills DATABASE_URL with demo users and
// sessions (a mix of devices, IPs, tenants and statuses) to try the console at scale.
import { parseArgs } from "node:util";
import { applyMigrations } from "../lib/db/migrate";
import { seedDemoData } from "../lib/db/demo-seed";
import { redactDatabaseUrl } from "../lib/db/url";

async function main() {
  const { values } = parseArgs({ options: { sessions: { type: "string", default: "10000" }, users: { type: "string" } } });
  const sessions = Number(values.sessions);
  const users = values.users === undefined ? undefined : Number(values.users);
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 50_000_000) throw new Error("--sessions must be a whole number from 1 to 50,000,000");
  if (users !== undefined && (!Number.isInteger(users) || users < 1)) throw new Error("--users must be a whole number of at least 1");
  const url = process.env.DATABASE_URL || undefined;
  await applyMigrations(url);
  const started = Date.now();
  let last = 0;
  const result = await seedDemoData(url, {
    sessions,
    users,
    onProgress: (written) => {
      if (written - last >= sessions / 20 || written === sessions) {
        last = written;
        process.stdout.write(`\r${written.toLocaleString("en")} / ${sessions.toLocaleString("en")} sessions`);
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  console.info(`\nseeded ${result.sessions.toLocaleString("en")} sessions for ${result.users.toLocaleString("en")} users into ${redactDatabaseUrl(url ?? "file:./data/latchkey.db")} in ${seconds.toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(`seed:demo: ${(error as Error).message}`);
  process.exit(1);
});
