import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

// bin/latchkey.mjs in an installation of its own (a copy of the command's sources, esbuild and the
// one package they import): it runs a bundle it made while that bundle is what the sources say
// now, whatever their timestamps, and never one that another could have put there.
const repo = path.resolve(__dirname, "..");
const PLANTED = 'export async function main() { console.log("planted"); return 0; }\n';
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

/** Puts a bundle of someone else's making in `dir`, with a record that names it. */
function plant(dir: string) {
  const record = JSON.parse(readFileSync(path.join(dir, "sources.json"), "utf8")) as Record<string, unknown>;
  rmSync(path.join(dir, "cli.mjs"), { force: true });
  writeFileSync(path.join(dir, "cli.mjs"), PLANTED, { mode: 0o600 });
  writeFileSync(path.join(dir, "sources.json"), JSON.stringify({ ...record, bundle: createHash("sha256").update(PLANTED).digest("hex") }));
}

/** Changes a file's content while giving it a timestamp older than any bundle. */
function edit(file: string, change: (text: string) => string) {
  const target = path.join(install, file);
  writeFileSync(target, change(readFileSync(target, "utf8")));
  const past = new Date("2001-01-01T00:00:00Z");
  utimesSync(target, past, past);
}

beforeAll(() => {
  install = mkdtempSync(path.join(tmpdir(), "latchkey-bundle-"));
  for (const part of ["bin/latchkey.mjs", "cli", "lib/duration.ts", "packages/client/src", "packages/client/tsconfig.json", "tsconfig.json"]) {
    cpSync(path.join(repo, part), path.join(install, part), { recursive: true });
  }
  mkdirSync(path.join(install, "node_modules"));
  for (const name of ["esbuild", "jose"]) symlinkSync(path.join(repo, "node_modules", name), path.join(install, "node_modules", name));
  mkdirSync(path.join(install, "home"));
  cache = path.join(install, "node_modules", ".cache", "latchkey-cli");
  userCache = path.join(install, "user-cache");
});
afterAll(() => rmSync(install, { recursive: true, force: true }));

describe("the latchkey command's bundle", () => {
  beforeEach(() => {
    // Each test starts from a bundle made from the sources as they are.
    rmSync(path.join(cache, "sources.json"), { force: true });
    expect(latchkey("--help").code).toBe(0);
  });

  it("is made on the first run, kept in the installation's cache, private to the user", () => {
    const run = latchkey("--help");
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("Usage: latchkey");
    expect(existsSync(path.join(cache, "cli.mjs"))).toBe(true);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(cache, "cli.mjs")).mode & 0o777).toBe(0o600);
  });

  it("is run from the cache while its record holds: a bundle the record names is what runs", () => {
    // The control for the tests below: each undoes one condition of this and sees the bundle refused.
    plant(cache);
    expect(latchkey("--help").out).toContain("planted");
  });

  it("is made again when a source's content changes, even with a timestamp older than the bundle's", () => {
    plant(cache);
    edit("cli/main.ts", (text) => text.replace("Usage: latchkey <command>", "Usage: latchkey-changed <command>"));
    const run = latchkey("--help");
    expect(run.out).not.toContain("planted");
    expect(run.out).toContain("Usage: latchkey-changed <command>");
  });

  it("is made again when the TypeScript settings of a source's folder change", () => {
    plant(cache);
    edit("packages/client/tsconfig.json", (text) => `${text}\n`);
    expect(latchkey("--help").out).not.toContain("planted");
  });

  it("is made again when a new file changes what an import resolves to", () => {
    plant(cache);
    // esbuild tries .tsx before .ts: `./args` in cli/main.ts now means this file.
    const shadow = path.join(install, "cli", "args.tsx");
    writeFileSync(shadow, 'export * from "./args.ts";\nconsole.log("resolved to args.tsx");\n');
    const past = new Date("2001-01-01T00:00:00Z");
    utimesSync(shadow, past, past);
    try {
      const run = latchkey("--help");
      expect(run.out).not.toContain("planted");
      expect(run.out).toContain("resolved to args.tsx");
      expect(run.out).toContain("Usage: latchkey");
    } finally {
      rmSync(shadow);
    }
  });

  it("is made again when the bundle is not the one its record names", () => {
    plant(cache);
    writeFileSync(path.join(cache, "cli.mjs"), PLANTED.replace("planted", "swapped"));
    const run = latchkey("--help");
    expect(run.out).not.toContain("swapped");
    expect(run.out).toContain("Usage: latchkey");
  });

  it("is never run when others may write to it, or through a link", () => {
    plant(cache);
    chmodSync(path.join(cache, "cli.mjs"), 0o666);
    expect(latchkey("--help").out).not.toContain("planted");
    plant(cache);
    // Outside every folder that holds a source, so that only the link can be what refuses it.
    const elsewhere = path.join(install, "home", "planted.mjs");
    writeFileSync(elsewhere, PLANTED, { mode: 0o600 });
    rmSync(path.join(cache, "cli.mjs"));
    symlinkSync(elsewhere, path.join(cache, "cli.mjs"));
    expect(latchkey("--help").out).not.toContain("planted");
  });

  it("is kept in the user's own cache folder when the installation's is writable by others", () => {
    plant(cache);
    chmodSync(cache, 0o777);
    try {
      const run = latchkey("--help");
      expect(run.out).not.toContain("planted");
      expect(run.out).toContain("Usage: latchkey");
      expect(existsSync(path.join(userCache, "latchkey-cli"))).toBe(true);
    } finally {
      chmodSync(cache, 0o700);
    }
  });

  it("says in one line that the sources did not compile, and runs nothing", () => {
    const args = path.join(install, "cli", "args.ts");
    const before = readFileSync(args, "utf8");
    edit("cli/args.ts", (text) => `${text}\nexport const broken = ;\n`);
    try {
      const run = latchkey("--help");
      expect(run.code).toBe(1);
      expect(run.out).toContain("latchkey: the command's sources did not compile (see above).");
      expect(run.out).not.toContain("Usage: latchkey");
      expect(run.out).not.toMatch(/\n\s+at /);
    } finally {
      writeFileSync(args, before);
    }
  });
});
