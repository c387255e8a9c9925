#!/usr/bin/env node
// The latchkey command: cli/main.ts, bundled by esbuild into one JavaScript file the first time it
// runs and again whenever a file it was made from has changed since, then run from that file. A
// start costs a tenth of compiling the TypeScript on every run (tsx).
import { createHash } from "node:crypto";
import { accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The bundle and the list of its sources, where this user may write: the installation's
 * node_modules/.cache, else the user's own cache folder (never a shared temporary folder, where
 * another account could leave a bundle to be run), one folder there per installation.
 */
function bundlePaths() {
  const installation = createHash("sha256").update(root).digest("hex").slice(0, 16);
  const userCache = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  for (const dir of [path.join(root, "node_modules", ".cache", "latchkey-cli"), path.join(userCache, "latchkey-cli", installation)]) {
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      return { bundle: path.join(dir, "cli.mjs"), sources: path.join(dir, "sources.json") };
    } catch {
      // Not writable here (a read-only installation): the next place.
    }
  }
  throw new Error("latchkey: no folder to keep the compiled command in (node_modules/.cache and the user's cache folder are read-only).");
}

/** Whether the bundle exists and is newer than every file it was made from. */
function isFresh({ bundle, sources }) {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(sources, "utf8"));
    return inputs.length > 0 && inputs.every((input) => statSync(path.join(root, input)).mtimeMs <= built);
  } catch {
    return false;
  }
}

async function build({ bundle, sources }) {
  const { build: esbuild } = await import("esbuild");
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: ["cli/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Packages (jose) are loaded from node_modules as they are.
    packages: "external",
    write: false,
    metafile: true,
    logLevel: "error",
  });
  // Written beside and renamed, so that a run starting meanwhile never reads half a file.
  const unique = `.${process.pid}.${Date.now()}`;
  writeFileSync(bundle + unique, result.outputFiles[0].contents);
  writeFileSync(sources + unique, JSON.stringify(Object.keys(result.metafile.inputs)));
  renameSync(sources + unique, sources);
  renameSync(bundle + unique, bundle);
}

const paths = bundlePaths();
if (!isFresh(paths)) await build(paths);
const { main } = await import(pathToFileURL(paths.bundle).href);
process.exitCode = await main(process.argv.slice(2));
