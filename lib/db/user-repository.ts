import { ALL_APPS, CONSOLE_APP_ID, type AppScope } from "../sessions/policy";
import { generateId } from "../sessions/tokens";
import { userKey } from "../sessions/types";
import type { AuditEventInput } from "../sessions/types";
import { auditEventRow } from "./audit";
import type { Database } from "./client";
import { searchUsers } from "./user-search";

export { userKey };

export const CONSOLE_ROLES = ["ADMIN", "SUPPORT", "USER"] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** A console account with its password hash: never leaves lib/auth. */
export interface ConsoleCredentials {
  id: string;
  email: string;
  name: string | null;
  consoleRole: ConsoleRole;
  disabledAt: Date | null;
  passwordHash: string;
}

/** A console account as shown in lists. */
export interface ConsoleAccount {
  id: string;
  email: string;
  name: string | null;
  role: ConsoleRole;
  mustChangePassword: boolean;
  disabledAt: Date | null;
  createdAt: Date;
}

const CREDENTIAL_FIELDS = { id: true, email: true, name: true, consoleRole: true, disabledAt: true, passwordHash: true } as const;

function toCredentials(user: { id: string; email: string | null; name: string | null; consoleRole: string | null; disabledAt: Date | null; passwordHash: string | null } | null): ConsoleCredentials | null {
  if (!user?.email || !user.passwordHash || !user.consoleRole) return null;
  return { ...user, email: user.email, passwordHash: user.passwordHash, consoleRole: user.consoleRole as ConsoleRole };
}

/** A user as operators look them up: an application's user or a console account. */
export interface UserSummary {
  appId: string;
  id: string;
  email: string | null;
  name: string | null;
  consoleRole: string | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
  liveSessions: number;
}

const SUMMARY_FIELDS = { appId: true, id: true, email: true, name: true, consoleRole: true, disabledAt: true, disabledReason: true, createdAt: true } as const;

/** Users of applications, and console accounts: people who sign in to Latchkey itself (application "console"). */
export function createUserRepository(database: Database, { onUserChanged = async () => {} }: { onUserChanged?: (userId: string) => Promise<void> } = {}) {
  const { prisma } = database;

  async function withLiveCounts(rows: Omit<UserSummary, "liveSessions">[], now: Date): Promise<UserSummary[]> {
    if (rows.length === 0) return [];
    const counts = await prisma.session.groupBy({
      by: ["appId", "userId"],
      where: {
        OR: rows.map((row) => ({ appId: row.appId, userId: row.id })),
        revokedAt: null,
        idleExpiresAt: { gt: now },
        absoluteExpiresAt: { gt: now },
      },
      _count: { _all: true },
    });
    const byUser = new Map(counts.map((count) => [userKey(count.appId, count.userId), count._count._all]));
    return rows.map((row) => ({ ...row, liveSessions: byUser.get(userKey(row.appId, row.id)) ?? 0 }));
  }

  return {
    /** Users in `app` whose id is or contains `query`, or whose email or name contains it; newest first. */
    async searchUsers(query: string, now: Date, limit = 50, app: AppScope = ALL_APPS): Promise<UserSummary[]> {
      return withLiveCounts(await searchUsers<Omit<UserSummary, "liveSessions">>(database, app, query, limit, SUMMARY_FIELDS), now);
    },

    async findUserSummary(appId: string, id: string, now: Date): Promise<UserSummary | null> {
      const row = await prisma.user.findUnique({ where: { appId_id: { appId, id } }, select: SUMMARY_FIELDS });
      return row ? ((await withLiveCounts([row], now))[0] ?? null) : null;
    },

    async findCredentials(email: string): Promise<ConsoleCredentials | null> {
      return toCredentials(await prisma.user.findUnique({ where: { appId_email: { appId: CONSOLE_APP_ID, email: email.trim().toLowerCase() } }, select: CREDENTIAL_FIELDS }));
    },

    async findCredentialsById(id: string): Promise<ConsoleCredentials | null> {
      return toCredentials(await prisma.user.findUnique({ where: { appId_id: { appId: CONSOLE_APP_ID, id } }, select: CREDENTIAL_FIELDS }));
    },

    async listConsoleAccounts(): Promise<ConsoleAccount[]> {
      const rows = await prisma.user.findMany({
        where: { appId: CONSOLE_APP_ID, consoleRole: { not: null } },
        select: { id: true, email: true, name: true, consoleRole: true, mustChangePassword: true, disabledAt: true, createdAt: true },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      return rows.map(({ consoleRole, email, ...row }) => ({ ...row, email: email ?? "", role: consoleRole as ConsoleRole }));
    },

    /** Changes a console account's role; false when there is no such account. */
    async setConsoleRole(id: string, role: ConsoleRole, event: AuditEventInput): Promise<boolean> {
      const changed = await prisma.$transaction(async (tx) => {
        const result = await tx.user.updateMany({ where: { appId: CONSOLE_APP_ID, id, consoleRole: { not: null } }, data: { consoleRole: role, updatedAt: event.at } });
        if (result.count !== 1) return false;
        await tx.auditEvent.create({ data: auditEventRow({ ...event, userId: id }) });
        return true;
      });
      // What resolve reports of the user changed: cached sessions must be read again.
      if (changed) await onUserChanged(id);
      return changed;
    },

    /** Replaces a console account's password hash (and whether it must be changed at next sign-in). */
    async setPassword(id: string, passwordHash: string, mustChangePassword: boolean, event: AuditEventInput): Promise<boolean> {
      const changed = await prisma.$transaction(async (tx) => {
        const result = await tx.user.updateMany({ where: { appId: CONSOLE_APP_ID, id, consoleRole: { not: null } }, data: { passwordHash, mustChangePassword, updatedAt: event.at } });
        if (result.count !== 1) return false;
        await tx.auditEvent.create({ data: auditEventRow({ ...event, userId: id }) });
        return true;
      });
      // What resolve reports of the user changed: cached sessions must be read again.
      if (changed) await onUserChanged(id);
      return changed;
    },

    /** Emails of the given users, for naming people in lists, by userKey(appId, userId). */
    async findEmails(users: { appId: string; userId: string }[]): Promise<Map<string, string>> {
      if (users.length === 0) return new Map();
      const rows = await prisma.user.findMany({
        where: { OR: users.map((user) => ({ appId: user.appId, id: user.userId })), email: { not: null } },
        select: { appId: true, id: true, email: true },
      });
      return new Map(rows.map((row) => [userKey(row.appId, row.id), row.email ?? ""]));
    },

    countConsoleUsers(): Promise<number> {
      return prisma.user.count({ where: { appId: CONSOLE_APP_ID, consoleRole: { not: null } } });
    },

    async createConsoleUser(
      input: { email: string; name: string | null; role: ConsoleRole; passwordHash: string; mustChangePassword?: boolean; at: Date },
      event: AuditEventInput,
    ): Promise<{ id: string; email: string }> {
      const id = `u_${generateId()}`;
      const email = input.email.trim().toLowerCase();
      await prisma.$transaction(async (tx) => {
        await tx.user.create({
          data: {
            appId: CONSOLE_APP_ID,
            id,
            email,
            name: input.name,
            consoleRole: input.role,
            passwordHash: input.passwordHash,
            mustChangePassword: input.mustChangePassword ?? false,
            createdAt: input.at,
            updatedAt: input.at,
          },
        });
        await tx.auditEvent.create({ data: auditEventRow({ ...event, userId: id }) });
      });
      return { id, email };
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
