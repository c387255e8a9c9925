import path from "node:path";

export type DatabaseProvider = "sqlite" | "postgresql";

export interface DatabaseTarget {
  provider: DatabaseProvider;
  /** A PostgreSQL connection string, or an absolute SQLite file path. */
  location: string;
}

export const DEFAULT_DATABASE_URL = "file:./data/latchkey.db";

/** Which store a DATABASE_URL names: a postgres URL, else a SQLite file (`file:` optional). */
export function parseDatabaseUrl(url: string = DEFAULT_DATABASE_URL): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { provider: "postgresql", location: url };
  const file = url.replace(/^file:/, "");
  if (file.length === 0) throw new Error("DATABASE_URL names no SQLite file.");
  if (file === ":memory:") throw new Error("DATABASE_URL: an in-memory SQLite database cannot be shared; name a file.");
  return { provider: "sqlite", location: path.resolve(/*turbopackIgnore: true*/ file) };
}

/** The connection string with any password replaced, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
