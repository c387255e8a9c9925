// What `npm test` needs from the machine, checked in a few seconds before anything runs: Chromium
// (for the console suite), a reachable PostgreSQL, redis-server (the Redis tests start their own)
// and jq (README's plain-HTTP snippet). Prints one message naming everything missing and how to
// get it. `node scripts/preflight.mjs` runs it alone.
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import chromium from "./chromium-path.cjs";

export const { onPath, chromiumPath } = chromium;

async function postgresReachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return error.message;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Everything missing, each with how to get it; empty when the machine has it all. */
export async function missing(env = process.env) {
  const problems = [];
  if (!chromiumPath(env)) {
    problems.push(
      env.CHROMIUM_PATH
        ? `Chromium: CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable (unset it to use \`chromium\` on PATH)`
        : "Chromium: no `chromium` on PATH; install it with `apt-get install -y chromium` (Playwright never downloads a browser here), or set CHROMIUM_PATH",
    );
  }
  const postgres = env.LATCHKEY_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const refused = await postgresReachable(postgres);
  if (refused) {
    problems.push(`PostgreSQL: not reachable at ${postgres.replace(/\/\/[^@/]*@/, "//…@")} (${refused}); start it (\`pg_ctlcluster <version> main start\`) or set LATCHKEY_TEST_POSTGRES_URL`);
  }
  if (!onPath("redis-server", env)) problems.push("redis-server: not on PATH (the Redis tests start their own); install it with `apt-get install -y redis-server`");
  if (!onPath("jq", env)) problems.push("jq: not on PATH (README's plain-HTTP snippet uses it); install it with `apt-get install -y jq`");
  return problems;
}

export function describe(problems) {
  return `npm test cannot run on this machine yet; it lacks:\n${problems.map((problem) => `  - ${problem}`).join("\n")}\n(.ci/run installs and starts all of these on a fresh machine.)`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void missing().then((problems) => {
    if (problems.length > 0) {
      console.error(describe(problems));
      process.exit(1);
    }
    console.info("preflight: Chromium, PostgreSQL, redis-server and jq are here.");
  });
}
