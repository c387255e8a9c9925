import type { DatabaseProvider } from "./url";

/**
 * Prisma string filters that match user-typed text literally and case-insensitively. Prisma
 * writes `contains` and `startsWith` as LIKE without escaping `%` and `_`. PostgreSQL's LIKE
 * takes a backslash as its escape character, so there they are escaped; SQLite's LIKE has no
 * escape character unless the query names one, which Prisma's does not, so there `%` and `_`
 * still match any characters (the device filter avoids this through its own search; see
 * session-repository.ts). SQLite's LIKE ignores case for ASCII letters only.
 */
export function textMatchers(provider: DatabaseProvider) {
  const insensitive = provider === "postgresql" ? ({ mode: "insensitive" } as const) : {};
  const literal = (text: string) => (provider === "postgresql" ? escapeLike(text) : text);
  return {
    contains: (text: string) => ({ contains: literal(text), ...insensitive }) as { contains: string },
    startsWith: (text: string) => ({ startsWith: literal(text) }) as { startsWith: string },
  };
}

/** `text` with LIKE's wildcards and its escape character escaped by a backslash (PostgreSQL's default, or `ESCAPE '\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The users search, as a Prisma filter: part of the id, email or name (applications often use
 * the email as the id, so "bob" finds "bob@shop.example" either way).
 */
export function userSearchWhere(text: string, { contains }: ReturnType<typeof textMatchers>) {
  return { OR: [{ id: text }, { id: contains(text) }, { email: contains(text.toLowerCase()) }, { name: contains(text) }] };
}
