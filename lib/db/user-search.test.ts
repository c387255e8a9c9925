import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createTestEngine, type TestDatabase } from "../testing/database";
import { ALL_APPS, type AppScope } from "../sessions/policy";
import { generateId } from "../sessions/tokens";
import { textMatchers, userSearchWhere } from "./text-match";
import { SEARCH_WALK, searchUsers } from "./user-search";

const ADMIN = { type: "user" as const, id: "op-admin", label: "admin@example.com" };
const FIELDS = { appId: true, id: true, email: true, name: true, createdAt: true, mustChangePassword: true, disabledAt: true } as const;

interface Row {
  appId: string;
  id: string;
  email: string | null;
  name: string | null;
  createdAt: Date;
  mustChangePassword?: boolean;
  disabledAt?: Date | null;
}

let db: TestDatabase;
let appA = "";
let appB = "";
const rows: Row[] = [];

/**
 * Two applications. Old users first: "needle" users spread over both, some sharing one instant (the
 * order's ties). Then more than a walk's worth of newer users in each application, a few of them
 * needles too, so that a search for "needle" finds fewer than a page among the newest and must
 * reach the old ones. A few more share one instant across both applications.
 */
beforeAll(async () => {
  db = await createTestDatabase();
  const { root } = createTestEngine(db);
  appA = (await root.createApplication({ name: `search-a-${generateId()}` }, ADMIN)).id;
  appB = (await root.createApplication({ name: `search-b-${generateId()}` }, ADMIN)).id;
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const tied = new Date(start + 500_000);
  for (let i = 0; i < 40; i++) {
    // The tied ones in one application: the order between applications is their ids' collation.
    const appId = i % 3 === 0 && i >= 6 ? appB : appA;
    rows.push({ appId, id: `needle-old-${i}`, email: i % 2 ? `Needle.Old.${i}@Shop.example` : null, name: null, createdAt: i < 6 ? tied : new Date(start + i * 1000) });
  }
  rows.push({ appId: appA, id: "u-1001", email: "kim@shop.example", name: "Kim NEEDLEMAN", createdAt: new Date(start + 60_000) });
  rows.push({ appId: appB, id: "needle-old-1", email: null, name: "same id, other application", createdAt: new Date(start + 61_000) });
  // Emails are kept lower-cased; "ΟΔΟΣ".toLowerCase() ends in a final sigma, which PostgreSQL's
  // case-insensitive LIKE does not make of a capital one.
  rows.push({ appId: appA, id: "u-1002", email: "οδος@shop.example", name: null, createdAt: new Date(start + 62_000) });
  for (let i = 0; i < 2 * SEARCH_WALK + 500; i++) {
    const appId = i % 2 ? appA : appB;
    const needle = i % 400 === 7;
    rows.push({ appId, id: needle ? `needle-new-${i}` : `filler-${i}`, email: `filler-${i}@shop.example`, name: null, createdAt: new Date(start + 1_000_000 + i * 1000), mustChangePassword: i % 3 === 0, disabledAt: i % 5 === 0 ? new Date(start + 9_000_000) : null });
  }
  const tiedAcross = new Date(start + 700_000);
  for (let i = 0; i < 6; i++) rows.push({ appId: i % 2 ? appA : appB, id: `needle_tie%${i}`, email: null, name: "tie 50% off", createdAt: tiedAcross });
  await db.database.prisma.user.createMany({ data: rows.map((row) => ({ ...row, updatedAt: row.createdAt })) });
});
afterAll(async () => {
  await db.drop();
});

/** What the search must answer, worked out over every row in memory. */
function expected(app: AppScope, query: string, limit: number): string[] {
  const text = query.trim().toLowerCase();
  const ours = (row: Row) => (app === ALL_APPS ? row.appId === appA || row.appId === appB : row.appId === app);
  const matches = (row: Row) => !text || [row.id, row.email, row.name].some((value) => value?.toLowerCase().includes(text));
  const key = (row: Row) => `${row.appId}/${row.id}`;
  return rows
    .filter((row) => ours(row) && matches(row))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.appId < b.appId ? 1 : a.appId > b.appId ? -1 : 0) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, limit)
    .map(key);
}

async function found(app: AppScope, query: string, limit: number): Promise<string[]> {
  const users = await searchUsers<Row>(db.database, app, query, limit, FIELDS);
  // Only the two applications of this file (the console's own accounts are users too).
  return users.filter((user) => user.appId === appA || user.appId === appB).map((user) => `${user.appId}/${user.id}`);
}

describe("the users search", () => {
  it("finds matches older than the newest users it walks first, newest first with ties in order, in every application or one", async () => {
    for (const app of [ALL_APPS, appA, appB] as AppScope[]) {
      for (const limit of [5, 20, 50]) {
        const answer = await found(app, "needle-", limit);
        expect(answer).toEqual(expected(app, "needle-", limit));
      }
    }
    // A page that takes the few matches among the newest users, then older ones.
    const mixed = await found(ALL_APPS, "needle-", 50);
    expect(mixed.filter((key) => key.includes("needle-new-")).length).toBe(12);
    expect(mixed.filter((key) => key.includes("needle-old-")).length).toBe(38);
  });

  it("matches the id whole or in part, the email and the name without regard to case, and no other application's users when scoped", async () => {
    for (const query of ["needle-old-1", "NEEDLE.OLD.3", "shop.EXAMPLE", "needleman", "  kim  ", "filler-24"]) {
      for (const app of [ALL_APPS, appA, appB] as AppScope[]) expect(await found(app, query, 50), `${query} in ${app === ALL_APPS ? "every application" : app}`).toEqual(expected(app, query, 50));
    }
    expect(await found(appB, "needleman", 50)).toEqual([]);
    expect(await found(appA, "same id, other application", 50)).toEqual([]);
    expect(await found(appB, "same id, other application", 50)).toEqual([`${appB}/needle-old-1`]);
  });

  it("answers what one query through Prisma answers, row for row and field for field, ties across applications and LIKE's wildcards included", async () => {
    const { prisma, provider } = db.database;
    for (const app of [ALL_APPS, appA, appB] as AppScope[]) {
      for (const query of ["needle", "needle-", "NEEDLE_TIE%", "50%", "_", "%", "\\", "e", "ne", "tie", "filler-1", "ΟΔΟΣ@", "nobody"]) {
        for (const limit of [7, 50]) {
          const where = { ...(app === ALL_APPS ? {} : { appId: app }), ...userSearchWhere(query, textMatchers(provider)) };
          const oneQuery = await prisma.user.findMany({ where, select: FIELDS, orderBy: [{ createdAt: "desc" }, { appId: "desc" }, { id: "desc" }], take: limit });
          const label = `${JSON.stringify(query)} in ${app === ALL_APPS ? "every application" : app}, ${limit}`;
          expect(await searchUsers<Row>(db.database, app, query, limit, FIELDS), label).toEqual(oneQuery);
        }
      }
    }
  });

  it("an empty query lists the newest users; a text nobody has finds nobody", async () => {
    expect(await found(appA, "", 30)).toEqual(expected(appA, "", 30));
    expect(await found(ALL_APPS, "nobody-has-this", 50)).toEqual([]);
  });
});
