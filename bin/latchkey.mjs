#!/usr/bin/env node
// The latchkey command: cli/main.ts, bundled by esbuild into one JavaScript file the first time it
// runs and again whenever what it was made from differs, then run from that file. A start costs a
// tenth of compiling the TypeScript on every run (tsx).
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/**
 * Whether `file` is this user's own and only theirs to change: not a symbolic link, owned by the
 * user, not writable by group or others. Another account's folder or bundle is never used.
 */
function ownedByMe(file) {
  const stat = lstatSync(file);
  if (stat.isSymbolicLink()) return false;
  if (typeof process.getuid !== "function") return true;
  return stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
}

/**
 * The folder for the bundle: the installation's node_modules/.cache, else the user's own cache
 * folder (one folder there per installation).
 */
function bundleFolder() {
  const xdg = process.env.XDG_CACHE_HOME;
  const userCache = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), ".cache");
  for (const dir of [path.join(root, "node_modules", ".cache", "latchkey-cli"), path.join(userCache, "latchkey-cli", sha256(root).slice(0, 16))]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (ownedByMe(dir)) return dir;
    } catch {
      // Not writable here (a read-only installation): the next place.
    }
  }
  throw new Error("latchkey: no folder of this user's own to keep the compiled command in (node_modules/.cache, the user's cache folder).");
}

/**
 * What the bundle must be made from again when it changes: this file (the build's options), the
 * installation's place, esbuild's version and the TypeScript settings.
 */
function buildKey() {
  const esbuild = JSON.parse(readFileSync(path.join(root, "node_modules", "esbuild", "package.json"), "utf8")).version;
  return sha256([readFileSync(fileURLToPath(import.meta.url)), root, esbuild, readFileSync(path.join(root, "tsconfig.json"))].join("\0"));
}

/** Each source file (relative to the installation) by the hash of its content now. */
function hashes(files) {
  return Object.fromEntries(files.map((file) => [file, sha256(readFileSync(path.join(root, file)))]));
}

/** Whether the bundle there is the one made, with these options, from the sources as they are now. */
function isFresh(dir, key) {
  try {
    const made = JSON.parse(readFileSync(path.join(dir, "sources.json"), "utf8"));
    const bundle = path.join(dir, "cli.mjs");
    if (made.key !== key || !ownedByMe(bundle) || made.bundle !== sha256(readFileSync(bundle))) return false;
    const now = hashes(Object.keys(made.sources));
    return Object.keys(now).length > 0 && Object.entries(now).every(([file, hash]) => made.sources[file] === hash);
  } catch {
    return false;
  }
}

async function build(dir, key) {
  const { build: esbuild } = await import("esbuild");
  // Each source hashed as esbuild reads it: a file saved during the build is not taken as built.
  const sources = {};
  const hashAsRead = {
    name: "hash-as-read",
    setup(builder) {
      builder.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const contents = readFileSync(args.path);
        sources[path.relative(root, args.path)] = sha256(contents);
        return { contents, loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js" };
      });
    },
  };
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: ["cli/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    plugins: [hashAsRead],
    write: false,
    logLevel: "error",
  });
  // Written beside, never through a file already there, and renamed: a run starting meanwhile
  // never reads half a file.
  const unique = `.${process.pid}.${Date.now()}`;
  const bundle = result.outputFiles[0].contents;
  writeFileSync(path.join(dir, `cli.mjs${unique}`), bundle, { flag: "wx", mode: 0o600 });
  writeFileSync(path.join(dir, `sources.json${unique}`), JSON.stringify({ key, sources, bundle: sha256(bundle) }), { flag: "wx", mode: 0o600 });
  renameSync(path.join(dir, `cli.mjs${unique}`), path.join(dir, "cli.mjs"));
  renameSync(path.join(dir, `sources.json${unique}`), path.join(dir, "sources.json"));
}

const dir = bundleFolder();
const key = buildKey();
if (!isFresh(dir, key)) await build(dir, key);
const { main } = await import(pathToFileURL(path.join(dir, "cli.mjs")).href);
process.exitCode = await main(process.argv.slice(2));
