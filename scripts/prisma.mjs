#!/usr/bin/env node
// Runs the Prisma CLI without letting it download native engines: Latchkey uses Prisma's
// Wasm engines through driver adapters, so the CLI only needs placeholder engine paths.
//
//   node scripts/prisma.mjs generate-all      generate both clients (SQLite and PostgreSQL), and
//                                              the example app's
//   node scripts/prisma.mjs <prisma args…>     any other Prisma CLI call, in the current folder
//                                              (with its prisma.config.ts)
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js", { paths: [root] });

const placeholders = path.join(root, "node_modules", ".cache", "latchkey-prisma");
mkdirSync(placeholders, { recursive: true });
const schemaEngine = path.join(placeholders, "schema-engine");
const queryEngine = path.join(placeholders, "libquery_engine.so.node");
for (const file of [schemaEngine, queryEngine]) {
  if (!existsSync(file)) writeFileSync(file, "");
}

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: schemaEngine,
  PRISMA_QUERY_ENGINE_LIBRARY: queryEngine,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
  NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${path.join(root, "scripts", "unref-timers.cjs")}`]
    .filter(Boolean)
    .join(" "),
};

function prisma(args, cwd = process.cwd()) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, env, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const args = process.argv.slice(2);
if (args[0] === "generate-all") {
  for (const schema of ["prisma/schema.prisma", "prisma/postgres/schema.prisma"]) {
    prisma(["generate", "--schema", schema], root);
  }
  const example = path.join(root, "examples", "next-app");
  if (existsSync(path.join(example, "prisma.config.ts"))) prisma(["generate"], example);
} else {
  prisma(args);
}
