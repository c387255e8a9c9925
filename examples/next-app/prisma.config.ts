// Prisma CLI configuration: Prisma runs on its Wasm engines through the better-sqlite3 driver
// adapter, so the CLI needs the adapter too. The database's folder is made on first use.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The app's default (lib/db.ts): a SQLite file in ./data.
process.env.DATABASE_URL ??= "file:./data/app.db";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  async adapter() {
    const url = process.env.DATABASE_URL!;
    mkdirSync(path.dirname(url.replace(/^file:/, "")), { recursive: true });
    return new PrismaBetterSQLite3({ url });
  },
});
