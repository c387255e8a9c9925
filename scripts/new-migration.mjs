#!/usr/bin/env node
// `npm run migration:new -- NAME`: writes the migration from the last committed schemas to the
// working ones, for SQLite and PostgreSQL alike (prisma/migrations/<stamp>_NAME and
// prisma/postgres/migrations/<stamp>_NAME), with Prisma's offline `migrate diff`.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migration:new -- name_in_snake_case");
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const scratch = mkdtempSync(path.join(tmpdir(), "latchkey-migration-"));

for (const [provider, schema, migrations] of [
  ["sqlite", "prisma/schema.prisma", "prisma/migrations"],
  ["postgresql", "prisma/postgres/schema.prisma", "prisma/postgres/migrations"],
]) {
  const previous = path.join(scratch, `${provider}.prisma`);
  writeFileSync(previous, execFileSync("git", ["show", `HEAD:${schema}`], { cwd: root }));
  const diff = spawnSync(
    process.execPath,
    [path.join(root, "scripts", "prisma.mjs"), "migrate", "diff", "--from-schema-datamodel", previous, "--to-schema-datamodel", schema, "--script"],
    { cwd: root, env: { ...process.env, LATCHKEY_PRISMA_PROVIDER: provider }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  if (diff.status !== 0) process.exit(diff.status ?? 1);
  if (/^-- This is an empty migration\./m.test(diff.stdout)) {
    console.info(`${provider}: no change`);
    continue;
  }
  const dir = path.join(root, migrations, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), diff.stdout);
  console.info(`${provider}: wrote ${path.relative(root, dir)}/migration.sql`);
}
