import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./redis-server";

export interface PrivatePostgres {
  /** A connection URL for the database `latchkey` on this server. */
  url: string;
  port: number;
  /** Starts the server again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it at once (`pg_ctl stop -m immediate`): connections drop as in a crash. */
  stop(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

/** Where the machine's PostgreSQL programs are (initdb and pg_ctl are not on PATH on Debian). */
function binDir(): string {
  const fromConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const candidates = [process.env.LATCHKEY_TEST_POSTGRES_BIN, fromConfig.status === 0 ? fromConfig.stdout.trim() : undefined];
  for (const dir of ["/usr/lib/postgresql"]) {
    if (!existsSync(dir)) continue;
    const versions = execFileSync("ls", [dir], { encoding: "utf8" }).split("\n").filter(Boolean).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(path.join(dir, version, "bin"));
  }
  const found = candidates.find((dir) => dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl")));
  if (!found) throw new Error("initdb and pg_ctl were not found (install PostgreSQL's server package, or set LATCHKEY_TEST_POSTGRES_BIN)");
  return found;
}

/**
 * A PostgreSQL server of the test's own, on a free port with its data in a temporary folder, so
 * a test can stop and restart it without touching the server other programs use. PostgreSQL
 * refuses to run as root: as root, its programs run as the `postgres` user.
 */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-private-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const spawnAs = (program: string, args: string[]) =>
    asRoot
      ? spawnSync("runuser", ["-u", "postgres", "--", path.join(bin, program), ...args], { encoding: "utf8", cwd: dir })
      : spawnSync(path.join(bin, program), args, { encoding: "utf8", cwd: dir });
  const run = (program: string, args: string[]) => {
    const result = spawnAs(program, args);
    if (result.status !== 0) throw new Error(`${program} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const server: PrivatePostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/latchkey`,
    port,
    async start() {
      run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "start"]);
    },
    async stop() {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    },
    async destroy() {
      spawnAs("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "latchkey"]);
  return server;
}
