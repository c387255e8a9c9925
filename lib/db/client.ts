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
  /**
   * SQLite: runs several statements as one synchronous step on the connection Prisma's queries
   * use, inside the transaction open on it if any. Prisma's SQLite adapter sends every query, in
   * a transaction or not, down that one connection: between two awaited statements of a
   * transaction another request's query runs in it, and sees its state. A schema change that
   * must never be seen half done (the sweep's rebuild of the Session table) goes in one step.
   */
  runScript?: (script: string) => void;
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
  // The adapter keeps its better-sqlite3 connection as `client`; it is caught as Prisma connects.
  type Connection = { exec(script: string): unknown; inTransaction: boolean };
  let connection: Connection | null = null;
  const connect = adapter.connect.bind(adapter);
  adapter.connect = async () => {
    const connected = await connect();
    connection = (connected as unknown as { client?: Connection }).client ?? null;
    return connected;
  };
  // SQLite's transactions take turns on the one connection, and one waiting for its turn is only
  // told it waited too long once it has it: a longer wait allowed fails none that waited anyway
  // (behind a sweep's rebuild of the sessions table, say, some 7 s).
  const prisma = new SqlitePrismaClient({ adapter, transactionOptions: { ...TRANSACTION_OPTIONS, maxWait: 30_000 } });
  const runScript = (script: string) => {
    if (!connection) throw new Error("Prisma's SQLite connection is not open (or its adapter no longer keeps it as `client`).");
    // Only inside a transaction, and all or nothing within the same step: a statement that fails
    // undoes the ones before it before any other query can run on the connection.
    if (!connection.inTransaction) throw new Error("A script runs only inside a transaction.");
    connection.exec("SAVEPOINT latchkey_script");
    try {
      connection.exec(script);
      connection.exec("RELEASE latchkey_script");
    } catch (error) {
      connection.exec("ROLLBACK TO latchkey_script; RELEASE latchkey_script");
      throw error;
    }
  };
  return { provider: "sqlite", prisma, runScript, ping: pinger(prisma), close: () => prisma.$disconnect() };
}
