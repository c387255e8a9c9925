// `npm run bench:audit -- [--only sqlite|postgres] [--events 3000000]`
// The audit log's page (newest first, 101 rows: a page of 100 and whether there is more) under
// each of its filters, on a log of 3,000,000 events over 30 days in two applications: the
// repository's listEvents, as the console's /audit page calls it, p50 and p95 of
// 20 runs after 2 warm-ups, beside a primary-key lookup of one event in the same run.
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { runBench, timeRuns, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { parseDatabaseUrl } from "../lib/db/url";
import type { AuditEventFilter } from "../lib/sessions/repository";
import { ALL_APPS, type AppScope } from "../lib/sessions/policy";
import { createScratchDatabase } from "../lib/testing/scratch-database";

process.env.TZ = "UTC";
const { values } = parseArgs({ options: { only: { type: "string" }, events: { type: "string", default: "3000000" } } });
const EVENTS = Number(values.events);
const DAY = 86_400_000;
const END = Date.UTC(2026, 11, 1);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

// Event i: by i % 100, 40 % created, 27 % refreshed, 17 % revoked, 15 % rotated, 1 % rarer kinds
// (by i / 100 % 50: user.disabled, logged out everywhere, sweeps of the console, tenant changes).
// One in seven in the application "shop", the rest in "default". Most by the API key "web
// backend"; revocations and the rarer kinds (5 %) by five console accounts, person0…4@example.com.
const TYPE = (i: string) => `CASE WHEN ${i} % 100 < 40 THEN 'session.created' WHEN ${i} % 100 < 67 THEN 'session.refreshed' WHEN ${i} % 100 < 84 THEN 'session.revoked'
  WHEN ${i} % 100 < 99 THEN 'session.rotated' WHEN (${i} / 100) % 50 = 0 THEN 'user.disabled' WHEN (${i} / 100) % 50 < 5 THEN 'user.sessions_revoked'
  WHEN (${i} / 100) % 50 < 7 THEN 'sessions.swept' ELSE 'session.tenant_changed' END`;
const APP = (i: string) => `CASE WHEN ${i} % 100 = 99 AND (${i} / 100) % 50 BETWEEN 5 AND 6 THEN 'console' WHEN ${i} % 7 = 0 THEN 'shop' ELSE 'default' END`;
const BY_PERSON = (i: string) => `(${i} % 100 = 99 OR ${i} % 100 BETWEEN 67 AND 70)`;
const COLUMNS = `"appId", "at", "type", "actorType", "actorId", "actorLabel", "sessionId", "userId", "details"`;
const row = (i: string, at: string) =>
  `${APP(i)}, ${at}, ${TYPE(i)}, CASE WHEN ${BY_PERSON(i)} THEN 'user' ELSE 'api_key' END, CASE WHEN ${BY_PERSON(i)} THEN 'acct-' || (${i} % 5) ELSE 'key-1' END,
   CASE WHEN ${BY_PERSON(i)} THEN 'person' || (${i} % 5) || '@example.com' ELSE 'web backend' END, 's' || (${i} % 1000003), 'user_' || (${i} % 200000), '{}'`;

const CASES: [string, AppScope, Omit<AuditEventFilter, "limit">][] = [
  ["every application, no filter", ALL_APPS, {}],
  ["application default, no filter", "default", {}],
  ["type user.disabled (1 in 5,000)", ALL_APPS, { type: "user.disabled" }],
  ["type session.created (4 in 10)", ALL_APPS, { type: "session.created" }],
  ["type no event has", ALL_APPS, { type: "session.guest_upgraded" }],
  ["actor person3@example.com (1 in 100)", ALL_APPS, { actor: "person3@example.com" }],
  ["actor part of a label, person3", ALL_APPS, { actor: "person3" }],
  ["actor an id, acct-3", ALL_APPS, { actor: "acct-3" }],
  ["actor no event has", ALL_APPS, { actor: "nobody@example.com" }],
  ["actor no event has, application default", "default", { actor: "nobody@example.com" }],
  ["user user_123, every application", ALL_APPS, { userId: "user_123" }],
  ["user user_123, application default", "default", { userId: "user_123" }],
  ["session s123", ALL_APPS, { sessionId: "s123" }],
  ["one day, ten days ago", ALL_APPS, { from: new Date(END - 10 * DAY), to: new Date(END - 9 * DAY) }],
  ["one day, ten days ago, type user.disabled", ALL_APPS, { type: "user.disabled", from: new Date(END - 10 * DAY), to: new Date(END - 9 * DAY) }],
  ["one day, twenty days ago, type session.created", ALL_APPS, { type: "session.created", from: new Date(END - 20 * DAY), to: new Date(END - 19 * DAY) }],
  ["one day, twenty days ago, actor person3@example.com", ALL_APPS, { actor: "person3@example.com", from: new Date(END - 20 * DAY), to: new Date(END - 19 * DAY) }],
  ["actor part of five labels, person", ALL_APPS, { actor: "person" }],
  ["actor part of every label, e", ALL_APPS, { actor: "e" }],
  ["the last hour", ALL_APPS, { from: new Date(END - 3_600_000) }],
];

const spread = ({ p50, p95 }: { p50: number; p95: number }) => `${p50.toFixed(1)} | ${p95.toFixed(1)}`;

async function bench(provider: BenchProvider): Promise<string[]> {
  const target = await createScratchDatabase(provider === "sqlite" ? "sqlite" : "postgresql", "bench-audit");
  try {
    await applyMigrations(target.url);
    const started = performance.now();
    const step = Math.floor((30 * DAY) / EVENTS);
    if (provider === "sqlite") {
      const raw = new BetterSqlite3(parseDatabaseUrl(target.url).location);
      raw.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${EVENTS - 1}) INSERT INTO "AuditEvent" (${COLUMNS}) SELECT ${row("i", `${END - 30 * DAY} + i * ${step}`)} FROM n`);
      raw.exec("ANALYZE");
      raw.close();
    } else {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      await client.query(`INSERT INTO "AuditEvent" (${COLUMNS}) SELECT ${row("i", `to_timestamp((${END - 30 * DAY} + i::bigint * ${step}) / 1000.0)`)} FROM generate_series(0, ${EVENTS - 1}) i`);
      await client.query(`VACUUM ANALYZE "AuditEvent"`);
      await client.end();
    }
    console.info(`  ${fmt(EVENTS)} events written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const database = openDatabase(target.url);
    try {
      const repository = createPrismaSessionRepository(database);
      const lines = [
        `### ${provider === "sqlite" ? "SQLite" : "PostgreSQL"}: ${fmt(EVENTS)} audit events`,
        "",
        "| the audit log's first page (101 rows at most) | rows | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: |",
      ];
      let n = 0;
      const lookup = await timeRuns(() => database.prisma.auditEvent.findUnique({ where: { id: 1 + (n++ * 7919) % EVENTS } }));
      lines.push(`| primary-key lookup of one event (baseline) | 1 | ${spread(lookup)} |`);
      for (const [name, app, filter] of CASES) {
        let rows = 0;
        const times = await timeRuns(async () => {
          rows = (await repository.listEvents(app, { ...filter, limit: 101 })).length;
        });
        lines.push(`| ${name} | ${rows} | ${spread(times)} |`);
      }
      return lines;
    } finally {
      await database.close();
    }
  } finally {
    await target.drop();
  }
}

runBench({ only: values.only, setup: `${fmt(EVENTS)} audit events over 30 days; p50 and p95 of 20 runs after 2 warm-ups`, bench });
