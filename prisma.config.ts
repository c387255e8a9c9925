// Prisma CLI configuration. Latchkey runs Prisma on its Wasm engines through driver adapters,
// so the CLI needs an adapter too. LATCHKEY_PRISMA_PROVIDER picks the schema (sqlite, the
// default, or postgresql); DATABASE_URL is only read by commands that connect.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

const postgres = process.env.LATCHKEY_PRISMA_PROVIDER === "postgresql";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? path.join("prisma", "postgres", "schema.prisma") : path.join("prisma", "schema.prisma"),
  migrations: {
    path: postgres ? path.join("prisma", "postgres", "migrations") : path.join("prisma", "migrations"),
  },
  async adapter() {
    if (postgres) {
      return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
    }
    return new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? ":memory:" }, { timestampFormat: "unixepoch-ms" });
  },
});
