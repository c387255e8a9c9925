import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** The app's own database (users, accounts, sign-in links): SQLite at DATABASE_URL. */
export const prisma =
  globalForPrisma.prisma ?? new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? "file:./data/app.db" }) });
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;
