// The suite's token scan: any full token (session, OAuth state or API key) in what the servers
// or the tests printed is a leak. scripts/test.mjs runs it over the Playwright output and over
// every server log of the run (E2E_LOG_DIR: the e2e server's request log and the servers specs
// start).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const TOKEN = /\b(lks|lko|lka)_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g;

/** The distinct full tokens in `text`. */
export function findTokens(text) {
  return [...new Set(text.match(TOKEN) ?? [])];
}

/** The distinct full tokens in every file of `dir` (none when it does not exist), with the files that hold them. */
export function scanLogDir(dir) {
  const found = new Map();
  if (!existsSync(dir)) return { files: 0, leaks: [] };
  const files = readdirSync(dir).filter((name) => name.endsWith(".log"));
  for (const name of files) {
    for (const token of findTokens(readFileSync(path.join(dir, name), "utf8"))) {
      found.set(token, [...(found.get(token) ?? []), name]);
    }
  }
  return { files: files.length, leaks: [...found].map(([token, where]) => ({ token, files: where })) };
}
