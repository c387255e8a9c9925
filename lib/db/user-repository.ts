import { generateId } from "../sessions/tokens";
import type { AuditEventInput } from "../sessions/types";
import { auditEventRow } from "./audit";
import type { Database } from "./client";

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

/** Console accounts: people who sign in to Latchkey itself. */
export function createUserRepository({ prisma }: Database) {
  return {
    async findCredentials(email: string): Promise<ConsoleCredentials | null> {
      const user = await prisma.user.findUnique({
        where: { email: email.trim().toLowerCase() },
        select: { id: true, email: true, name: true, consoleRole: true, disabledAt: true, passwordHash: true },
      });
      if (!user?.email || !user.passwordHash || !user.consoleRole) return null;
      return { ...user, email: user.email, passwordHash: user.passwordHash, consoleRole: user.consoleRole as ConsoleRole };
    },

    /** Emails of the given user ids, for naming people in lists. */
    async findEmails(ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await prisma.user.findMany({ where: { id: { in: ids }, email: { not: null } }, select: { id: true, email: true } });
      return new Map(rows.map((row) => [row.id, row.email ?? ""]));
    },

    countConsoleUsers(): Promise<number> {
      return prisma.user.count({ where: { consoleRole: { not: null } } });
    },

    async createConsoleUser(
      input: { email: string; name: string | null; role: ConsoleRole; passwordHash: string; at: Date },
      event: AuditEventInput,
    ): Promise<{ id: string; email: string }> {
      const id = `u_${generateId()}`;
      const email = input.email.trim().toLowerCase();
      await prisma.$transaction(async (tx) => {
        await tx.user.create({
          data: { id, email, name: input.name, consoleRole: input.role, passwordHash: input.passwordHash, createdAt: input.at, updatedAt: input.at },
        });
        await tx.auditEvent.create({ data: auditEventRow({ ...event, userId: id }) });
      });
      return { id, email };
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
