import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/**
 * What `latchkey login` keeps: where Latchkey runs and the credential to use there, an API key
 * (lka_…) or a console account's session token (lks_…), and whose it is.
 */
export interface CliSession {
  url: string;
  credential: string;
  name: string;
}

/** A problem the CLI reports in one line, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** $LATCHKEY_CONFIG_DIR, else $XDG_CONFIG_HOME/latchkey, else ~/.config/latchkey. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LATCHKEY_CONFIG_DIR) return env.LATCHKEY_CONFIG_DIR;
  return path.join(env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config"), "latchkey");
}

export function sessionFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), "session.json");
}

/** Writes the session file readable by its owner only (0600, in a 0700 folder). */
export function saveSession(session: CliSession, env: NodeJS.ProcessEnv = process.env): string {
  const file = sessionFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/**
 * The session to use: LATCHKEY_URL and LATCHKEY_API_KEY when both are set (for scripts and CI),
 * else the session file, which is refused when anyone but its owner may read or write it.
 */
export function loadSession(env: NodeJS.ProcessEnv = process.env): CliSession {
  if (env.LATCHKEY_URL && env.LATCHKEY_API_KEY) return { url: env.LATCHKEY_URL, credential: env.LATCHKEY_API_KEY, name: "(from LATCHKEY_API_KEY)" };
  const file = sessionFile(env);
  if (!existsSync(file)) throw new CliError("Not signed in: run `latchkey login --url https://your-latchkey` first.");
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new CliError(`${file} can be read by others (mode ${mode.toString(8)}); it holds a credential. Run \`chmod 600 ${file}\` or log in again.`);
  }
  try {
    const session = JSON.parse(readFileSync(file, "utf8")) as Partial<CliSession>;
    if (typeof session.url !== "string" || typeof session.credential !== "string") throw new Error("fields missing");
    return { url: session.url, credential: session.credential, name: session.name ?? "?" };
  } catch {
    throw new CliError(`${file} is not a Latchkey session file: log in again.`);
  }
}

/** Deletes the session file; false when there was none. */
export function removeSession(env: NodeJS.ProcessEnv = process.env): boolean {
  const file = sessionFile(env);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}
