import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient as PostgresPrismaClient } from "../../generated/postgres/client.ts";
import { PrismaClient as SqlitePrismaClient } from "../../generated/sqlite/client.ts";
import { parseDatabaseUrl, type DatabaseProvider } from "./url";

/**
 * The Prisma client type the repositories are written against. Both generated clients come
 * from schemas with the same models, fields and indexes (a test holds them together), so the
 * PostgreSQL client is used through the same type.
 */
export type Db = SqlitePrismaClient;

export interface Database {
  provider: DatabaseProvider;
  prisma: Db;
  /** The connection pool's state (PostgreSQL only). */
  poolStats?: () => { total: number; idle: number; waiting: number };
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

function pinger(prisma: Db) {
  return async () => {
    try {
      await prisma.$queryRawUnsafe("SELECT 1");
      return true;
    } catch {
      return false;
    }
  };
}

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

/** Opens a Prisma client on the store a DATABASE_URL names (see parseDatabaseUrl). */
export function openDatabase(url?: string): Database {
  const target = parseDatabaseUrl(url);
  if (target.provider === "postgresql") {
    // Our own pool, so that its state can be reported (the adapter's would be out of reach).
    const pool = new pg.Pool({ connectionString: target.location, max: 10, allowExitOnIdle: true });
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    const prisma = new PostgresPrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS }) as unknown as Db;
    return {
      provider: "postgresql",
      prisma,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      ping: pinger(prisma),
      close: () => prisma.$disconnect(),
    };
  }
  const adapter = new PrismaBetterSQLite3({ url: target.location, timeout: 10_000 }, { timestampFormat: "unixepoch-ms" });
  const prisma = new SqlitePrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
  return { provider: "sqlite", prisma, ping: pinger(prisma), close: () => prisma.$disconnect() };
}
