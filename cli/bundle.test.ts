import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// bin/latchkey.mjs in an installation of its own (a copy of the command's sources, and esbuild):
// it runs what the sources say now, whatever their timestamps, and only a bundle of its own.
const repo = path.resolve(__dirname, "..");
let install = "";
let cache = "";
let userCache = "";

function latchkey(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(install, "bin", "latchkey.mjs"), ...args], {
    env: { ...process.env, HOME: path.join(install, "home"), XDG_CACHE_HOME: userCache },
    encoding: "utf8",
  });
  return { code: run.status, out: run.stdout + run.stderr };
}

beforeAll(() => {
  install = mkdtempSync(path.join(tmpdir(), "latchkey-bundle-"));
  for (const part of ["bin/latchkey.mjs", "cli", "lib/duration.ts", "packages/client/src", "tsconfig.json"]) {
    cpSync(path.join(repo, part), path.join(install, part), { recursive: true });
  }
  mkdirSync(path.join(install, "node_modules"));
  // What the build needs: esbuild, and the packages the sources import (the client's jose).
  for (const name of ["esbuild", "jose"]) symlinkSync(path.join(repo, "node_modules", name), path.join(install, "node_modules", name));
  mkdirSync(path.join(install, "home"));
  cache = path.join(install, "node_modules", ".cache", "latchkey-cli");
  userCache = path.join(install, "user-cache");
});
afterAll(() => rmSync(install, { recursive: true, force: true }));

describe("the latchkey command's bundle", () => {
  it("is made on the first run and run from the installation's cache", () => {
    const run = latchkey("--help");
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("Usage: latchkey <command>");
    expect(existsSync(path.join(cache, "cli.mjs"))).toBe(true);
  });

  it("is made again when a source's content changes, even with a timestamp older than the bundle's", () => {
    const main = path.join(install, "cli", "main.ts");
    writeFileSync(main, readFileSync(main, "utf8").replace("Usage: latchkey <command>", "Usage: latchkey-changed <command>"));
    const past = new Date("2001-01-01T00:00:00Z");
    utimesSync(main, past, past);
    expect(latchkey("--help").out).toContain("Usage: latchkey-changed <command>");
  });

  it("is made again when the bundle is not the one its record names", () => {
    writeFileSync(path.join(cache, "cli.mjs"), 'export async function main() { console.log("planted"); return 0; }\n');
    const run = latchkey("--help");
    expect(run.out).not.toContain("planted");
    expect(run.out).toContain("Usage: latchkey-changed <command>");
  });

  it("is never taken from a folder others may write to, even with a record that names it: the user's own cache folder is used", () => {
    chmodSync(cache, 0o777);
    const planted = 'export async function main() { console.log("planted"); return 0; }\n';
    writeFileSync(path.join(cache, "cli.mjs"), planted);
    const record = JSON.parse(readFileSync(path.join(cache, "sources.json"), "utf8")) as { bundle: string };
    writeFileSync(path.join(cache, "sources.json"), JSON.stringify({ ...record, bundle: createHash("sha256").update(planted).digest("hex") }));
    const run = latchkey("--help");
    expect(run.out).not.toContain("planted");
    expect(run.out).toContain("Usage: latchkey-changed <command>");
    const mine = path.join(userCache, "latchkey-cli");
    expect(existsSync(mine)).toBe(true);
  });
});
