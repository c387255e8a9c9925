#!/usr/bin/env node
// The latchkey command: cli/main.ts, bundled by esbuild into one JavaScript file the first time it
// runs and again whenever what it was made from differs, then run from that file. A start costs a
// tenth of compiling the TypeScript on every run (tsx).
import { createHash } from "node:crypto";
import { accessSync, closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const myUid = typeof process.getuid === "function" ? process.getuid() : null;

/**
 * Whether a file's status says it is this user's own and only theirs to change: owned by the user,
 * not writable by group or others (on POSIX systems; Windows has no such modes).
 */
function mineAlone(stat) {
  return myUid === null || (stat.uid === myUid && (stat.mode & 0o022) === 0);
}

/** `dir` made if missing (only the last folder private to the user), and whether it is usable. */
function usableFolder(dir) {
  try {
    mkdirSync(path.dirname(dir), { recursive: true });
    if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
    const stat = lstatSync(dir);
    accessSync(dir, constants.W_OK);
    return !stat.isSymbolicLink() && mineAlone(stat);
  } catch {
    return false;
  }
}

/**
 * The folder for the bundle: the installation's node_modules/.cache when node_modules is this
 * user's (so that a run as another user, root say, leaves nothing there its owner cannot remove),
 * else the user's own cache folder, one folder there per installation.
 */
function bundleFolder() {
  const candidates = [
    () => {
      const modules = path.join(root, "node_modules");
      return myUid === null || lstatSync(modules).uid === myUid ? path.join(modules, ".cache", "latchkey-cli") : null;
    },
    () => {
      const xdg = process.env.XDG_CACHE_HOME;
      return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), ".cache"), "latchkey-cli", sha256(root).slice(0, 16));
    },
  ];
  for (const candidate of candidates) {
    let dir = null;
    try {
      dir = candidate();
    } catch {
      // No node_modules, or no home folder: the next place.
    }
    if (dir && usableFolder(dir)) return dir;
  }
  return null;
}

/**
 * What the bundle must be made from again when it changes, besides its sources: this file (the
 * build's options), the installation's place, esbuild's version and the packages installed.
 */
function buildKey() {
  const esbuild = JSON.parse(readFileSync(path.join(root, "node_modules", "esbuild", "package.json"), "utf8")).version;
  const installed = existsSync(path.join(root, "node_modules", ".package-lock.json")) ? readFileSync(path.join(root, "node_modules", ".package-lock.json")) : "";
  return sha256([readFileSync(fileURLToPath(import.meta.url)), root, esbuild, installed].join("\0"));
}

/** A file's hash, or "absent". */
function hashOf(file) {
  try {
    return sha256(readFileSync(path.join(root, file)));
  } catch (error) {
    if (error.code === "ENOENT") return "absent";
    throw error;
  }
}

/**
 * The names in a folder of the installation, hashed, or "absent": a file added beside a source or
 * in a folder above it can change what an import resolves to (`./args` to a new `args.tsx`, say).
 */
function listingOf(folder) {
  try {
    return sha256(readdirSync(path.join(root, folder)).sort().join("\0"));
  } catch (error) {
    if (error.code === "ENOENT") return "absent";
    throw error;
  }
}

/**
 * The bundle's bytes, if the record there names them, the sources (and the TypeScript settings
 * that applied to them) as they are now, and the folders that hold them with the same names in
 * them; null otherwise. The bytes are read once, through a
 * descriptor whose owner is checked, and those very bytes are what runs.
 */
function freshBundle(dir, key) {
  let fd = null;
  try {
    const made = JSON.parse(readFileSync(path.join(dir, "sources.json"), "utf8"));
    if (made.key !== key || Object.keys(made.sources).length === 0 || typeof made.folders !== "object") return null;
    fd = openSync(path.join(dir, "cli.mjs"), constants.O_RDONLY | constants.O_NOFOLLOW);
    if (!fstatSync(fd).isFile() || !mineAlone(fstatSync(fd))) return null;
    const bundle = readFileSync(fd);
    if (made.bundle !== sha256(bundle)) return null;
    const same = Object.entries(made.sources).every(([file, hash]) => hashOf(file) === hash) && Object.entries(made.folders).every(([folder, hash]) => listingOf(folder) === hash);
    return same ? bundle : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Bundles cli/main.ts; keeps the bundle and its record in `dir` when there is one. */
async function build(dir, key) {
  const { build: esbuild } = await import("esbuild");
  // Each source hashed as esbuild reads it (a file saved during the build is not taken as built),
  // and the tsconfig.json of each source's folder and those above it, present or not, and the
  // names in those folders. Folders in node_modules are left to the installed packages' lock.
  const sources = {};
  const folders = {};
  const hashAsRead = {
    name: "hash-as-read",
    setup(builder) {
      builder.onLoad({ filter: /.*/ }, (args) => {
        const contents = readFileSync(args.path);
        sources[path.relative(root, args.path)] = sha256(contents);
        for (let folder = path.dirname(args.path); folder.startsWith(root); folder = path.dirname(folder)) {
          const settings = path.relative(root, path.join(folder, "tsconfig.json"));
          sources[settings] ??= hashOf(settings);
          if (!path.relative(root, folder).split(path.sep).includes("node_modules")) folders[path.relative(root, folder)] ??= listingOf(path.relative(root, folder));
          if (folder === root) break;
        }
        const loader = path.extname(args.path).slice(1).replace(/^[cm]/, "");
        return { contents, loader: ["ts", "tsx", "js", "jsx", "json"].includes(loader) ? loader : "js" };
      });
    },
  };
  let result;
  try {
    result = await esbuild({
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
  } catch {
    // esbuild has printed what did not compile.
    console.error("latchkey: the command's sources did not compile (see above).");
    process.exit(1);
  }
  const bundle = Buffer.from(result.outputFiles[0].contents);
  // A file added while esbuild ran may not have been seen by its imports: such a bundle still runs
  // this once, but is not kept.
  const settled = Object.entries(folders).every(([folder, hash]) => listingOf(folder) === hash);
  if (dir && settled) {
    try {
      // Written beside, never through a file already there, and renamed: a run starting meanwhile
      // never reads half a file.
      const unique = `.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(path.join(dir, `cli.mjs${unique}`), bundle, { flag: "wx", mode: 0o600 });
      writeFileSync(path.join(dir, `sources.json${unique}`), JSON.stringify({ key, sources, folders, bundle: sha256(bundle) }), { flag: "wx", mode: 0o600 });
      renameSync(path.join(dir, `cli.mjs${unique}`), path.join(dir, "cli.mjs"));
      renameSync(path.join(dir, `sources.json${unique}`), path.join(dir, "sources.json"));
    } catch {
      // Not kept: this run still runs what it built, and the next builds again.
    }
  }
  return bundle;
}

const dir = bundleFolder();
const key = buildKey();
const bundle = (dir && freshBundle(dir, key)) ?? (await build(dir, key));
// The checked bytes themselves, not the file again: the bundle imports only Node's own modules.
const { main } = await import(`data:text/javascript;base64,${bundle.toString("base64")}`);
process.exitCode = await main(process.argv.slice(2));
