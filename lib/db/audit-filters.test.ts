import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { ALL_APPS } from "../sessions/policy";
import type { Actor, AuditEventInput } from "../sessions/types";

// The audit log's actor and user filters, which look up the log's distinct actors and
// applications first and then read through indexes: the same answers as a plain match would give.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const alice: Actor = { type: "user", id: "acct-1", label: "Alice.Smith@Example.com" };
const robot: Actor = { type: "api_key", id: "alice", label: "Robot" };
const carol: Actor = { type: "user", id: "carol", label: "carol@example.com" };
const other: Actor = { type: "api_key", id: "key-9", label: "web backend" };
const at = new Date("2026-07-01T00:00:00Z");

function event(actor: Actor, n: number, appId = "default", userId = `user-${n}`): AuditEventInput {
  return { appId, at, type: "session.revoked", actor, sessionId: `s-${n}`, userId, details: {} };
}

async function actorsOf(text: string, options: { limit?: number; before?: number } = {}) {
  const rows = await db.repository.listEvents(ALL_APPS, { actor: text, limit: options.limit ?? 100, before: options.before });
  return rows.map((row) => ({ id: row.id, actor: row.actorId }));
}

describe("the audit log's filters", () => {
  it("find an actor by part of its label in any case, literally, or by its exact id; newest first, each event once", async () => {
    const actors = [alice, other, robot, carol, other, alice, robot, carol, other];
    await db.repository.appendEvents(actors.map((actor, n) => event(actor, n)));
    const all = await db.repository.listEvents(ALL_APPS, { limit: 100 });
    const idOf = (n: number) => all[all.length - 1 - n]!.id;

    // "alice": Alice's label (any case) and the key whose id is "alice", merged newest first.
    expect(await actorsOf("alice")).toEqual([6, 5, 2, 0].map((n) => ({ id: idOf(n), actor: actors[n]!.id })));
    expect(await actorsOf("SMITH@example")).toEqual([5, 0].map((n) => ({ id: idOf(n), actor: "acct-1" })));
    // Carol's id and label both match: each of her events once.
    expect(await actorsOf("carol")).toEqual([7, 3].map((n) => ({ id: idOf(n), actor: "carol" })));
    // A page at a time.
    const first = await actorsOf("alice", { limit: 3 });
    expect(first.map((row) => row.id)).toEqual([6, 5, 2].map(idOf));
    expect((await actorsOf("alice", { limit: 3, before: first.at(-1)!.id })).map((row) => row.id)).toEqual([idOf(0)]);
    // The text is taken literally: no wildcards.
    expect(await actorsOf("%")).toEqual([]);
    expect(await actorsOf("a_ice")).toEqual([]);
    expect(await actorsOf("nobody")).toEqual([]);
    // Two labels, each read on its own, merged.
    expect(await actorsOf("example.com")).toEqual([7, 5, 3, 0].map((n) => ({ id: idOf(n), actor: actors[n]!.id })));

    // More labels than are read one by one (20): read together, the same answers.
    const team = Array.from({ length: 25 }, (_, n) => event({ type: "user", id: `team-${n}`, label: `Team member ${n}` }, 50 + n));
    await db.repository.appendEvents(team);
    const teamRows = await actorsOf("team member", { limit: 10 });
    expect(teamRows.map((row) => row.actor)).toEqual(Array.from({ length: 10 }, (_, n) => `team-${24 - n}`));
    expect((await actorsOf("team member", { limit: 100, before: teamRows.at(-1)!.id })).map((row) => row.actor)).toEqual(
      Array.from({ length: 15 }, (_, n) => `team-${14 - n}`),
    );

    // Past the actors the filter looks up one by one (2,000), it matches in the log itself, with
    // the same answers.
    const many = Array.from({ length: 2_001 }, (_, n) => event({ type: "api_key", id: `bulk-${n}`, label: `bulk key ${n}` }, 100 + n));
    for (let start = 0; start < many.length; start += 500) await db.repository.appendEvents(many.slice(start, start + 500));
    expect(await actorsOf("alice")).toEqual([6, 5, 2, 0].map((n) => ({ id: idOf(n), actor: actors[n]!.id })));
    expect(await actorsOf("SMITH@example")).toEqual([5, 0].map((n) => ({ id: idOf(n), actor: "acct-1" })));
    expect(await actorsOf("bulk key 2000")).toHaveLength(1);
  });

  it("find one user's events in every application, and only that user's", async () => {
    await db.repository.appendEvents([
      event(other, 1, "default", "same-id"),
      event(other, 2, "shop", "same-id"),
      event(other, 3, "shop", "someone-else"),
      event(other, 4, "console", "same-id"),
    ]);
    const everywhere = await db.repository.listEvents(ALL_APPS, { userId: "same-id", limit: 100 });
    expect(everywhere.map((row) => `${row.appId}:${row.sessionId}`)).toEqual(["console:s-4", "shop:s-2", "default:s-1"]);
    const inShop = await db.repository.listEvents("shop", { userId: "same-id", limit: 100 });
    expect(inShop.map((row) => row.sessionId)).toEqual(["s-2"]);
  });
});
