// `npm run bench:console -- [--sessions 1000000] [--only sqlite|postgres] [--runs 20]`
// Seeds a fresh database per provider with demo sessions, then times the server-side queries
// behind every filter and sort of the console's sessions page (engine.listSessions through
// Prisma, a page of 50, and the match count the page shows, counted up to 1,000), the users
// search and the debugger's user lookup by part of an id, next to a primary-key lookup in the
// same run. Prints p50 and p95.
import { parseArgs } from "node:util";
import { runBench, timeRuns, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { seedDemoData } from "../lib/db/demo-seed";
import { applyMigrations } from "../lib/db/migrate";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { createUserRepository } from "../lib/db/user-repository";
import { createFakeClock } from "../lib/sessions/clock";
import { resolveSessionConfig } from "../lib/sessions/config";
import { createSessionEngine } from "../lib/sessions/engine";
import { createScratchDatabase } from "../lib/testing/scratch-database";
import type { ListSessionsInput } from "../lib/sessions/schemas";
import { ENDING_REASONS } from "../lib/sessions/types";

const { values } = parseArgs({
  options: { sessions: { type: "string", default: "1000000" }, only: { type: "string" }, runs: { type: "string", default: "20" } },
});
const SESSIONS = Number(values.sessions);
const RUNS = Number(values.runs);
const NOW = new Date("2026-11-26T12:00:00Z");

const time = (runs: number, work: () => Promise<unknown>) => timeRuns(work, runs);

async function benchProvider(provider: BenchProvider): Promise<string[]> {
  const target = await createScratchDatabase(provider === "postgres" ? "postgresql" : "sqlite", "latchkey_bench");
  try {
    await applyMigrations(target.url);
    const seedStarted = Date.now();
    await seedDemoData(target.url, { sessions: SESSIONS, now: NOW });
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const database = openDatabase(target.url);
    const engine = createSessionEngine({ repository: createPrismaSessionRepository(database), config: resolveSessionConfig(), clock: createFakeClock(NOW) }).app("default");

    // Real values from the data to filter on.
    const sample = (await engine.listSessions({ limit: 500, sort: "lastSeenAt" })).items;
    const someone = sample.find((s) => s.kind === "user")!;
    const email = `${sample.find((s) => /^user_\d*0$/.test(s.userId))?.userId ?? "user_0"}@demo.example`;
    const ip = someone.ip!;
    const firstPage = await engine.listSessions({ limit: 50 });
    // A label only one session has: the filter must find it without walking every row.
    await engine.setDeviceLabel(sample[sample.length - 1]!.id, "Grandma's tablet");
    const cases: [string, ListSessionsInput][] = [
      ["all statuses, newest first (default)", {}],
      ["all statuses, page 2 (cursor)", { cursor: firstPage.nextCursor ?? undefined }],
      ["status active", { status: ["active"] }],
      ["status idle-expired", { status: ["idle-expired"] }],
      ["status absolute-expired", { status: ["absolute-expired"] }],
      ["status revoked", { status: ["revoked"] }],
      ["user by id", { user: someone.userId }],
      ["user by email", { user: email }],
      ["session id", { sessionId: someone.id }],
      ["IP exact", { ip }],
      ["IP prefix /24", { ip: `${ip.split(".").slice(0, 3).join(".")}.` }],
      ["device text (common: Firefox)", { device: "Firefox" }],
      ["device text (label: Kitchen)", { device: "Kitchen" }],
      ["device text (rare: one session's label)", { device: "grandma" }],
      ["device text matching nothing", { device: "Nokia" }],
      ["kind guest", { kind: "guest" }],
      ["tenant", { tenantId: "tenant-7" }],
      ["tenant + active", { tenantId: "tenant-7", status: ["active"] }],
      ["created in the last 24 h", { createdFrom: new Date(NOW.getTime() - 86_400_000) }],
      ["last seen in the last hour", { lastSeenFrom: new Date(NOW.getTime() - 3_600_000) }],
      ["revoked in the last 24 h, rotations left out (overview card)", { revokedFrom: new Date(NOW.getTime() - 86_400_000), reason: [...ENDING_REASONS] }],
      ["sort last seen, newest first", { sort: "lastSeenAt", order: "desc" }],
      ["sort created, oldest first", { sort: "createdAt", order: "asc" }],
      ["sort idle expiry, soonest first", { sort: "idleExpiresAt", order: "asc" }],
      ["sort absolute expiry, latest first", { sort: "absoluteExpiresAt", order: "desc" }],
    ];
    const ids = sample.map((s) => s.id);
    let next = 0;
    const baseline = await time(RUNS * 10, () => engine.getSession(ids[next++ % ids.length]!));
    const lines = [
      `${provider}: ${SESSIONS.toLocaleString("en")} sessions seeded in ${seedSeconds.toFixed(1)} s`,
      `| query (${provider}, page of 50) | p50 ms | p95 ms | p95 / primary-key p95 | match count p50 ms | match count p95 ms |`,
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      `| primary-key lookup (baseline) | ${baseline.p50.toFixed(2)} | ${baseline.p95.toFixed(2)} | 1.0 | | |`,
    ];
    for (const [label, input] of cases) {
      const result = await time(RUNS, () => engine.listSessions({ ...input, limit: 50 }));
      const { cursor: _cursor, ...filter } = input;
      const counted = await time(RUNS, () => engine.countSessions(filter));
      lines.push(
        `| ${label} | ${result.p50.toFixed(2)} | ${result.p95.toFixed(2)} | ${(result.p95 / baseline.p95).toFixed(1)} | ${counted.p50.toFixed(2)} | ${counted.p95.toFixed(2)} |`,
      );
      console.info(lines.at(-1));
    }
    // The users page and the debugger: part of an id, email or name, newest users first.
    const users = createUserRepository(database);
    const userCount = await database.prisma.user.count();
    lines.push(
      "",
      `| users search (${provider}, ${userCount.toLocaleString("en")} users, 50 shown) | p50 ms | p95 ms | p95 / primary-key p95 |`,
      "| --- | ---: | ---: | ---: |",
    );
    const part = someone.userId.slice(0, -1);
    const searches: [string, () => Promise<unknown>][] = [
      ["users page: an exact id", () => users.searchUsers(someone.userId, NOW, 50, "default")],
      [`users page: part of ids (“${part}”)`, () => users.searchUsers(part, NOW, 50, "default")],
      ["users page: part of an email", () => users.searchUsers(email.slice(2, -4), NOW, 50, "default")],
      ["users page: matching nothing", () => users.searchUsers("nobody-by-this-name", NOW, 50, "default")],
      ["debugger: a user by exact id", () => engine.diagnose({ user: someone.userId })],
      ["debugger: matching nothing", () => engine.diagnose({ user: "nobody-by-this-name" })],
    ];
    for (const [label, work] of searches) {
      const result = await time(RUNS, work);
      lines.push(`| ${label} | ${result.p50.toFixed(2)} | ${result.p95.toFixed(2)} | ${(result.p95 / baseline.p95).toFixed(1)} |`);
      console.info(lines.at(-1));
    }
    await database.close();
    return lines;
  } finally {
    await target.drop();
  }
}

runBench({ only: values.only, setup: `${RUNS} runs per query after 2 warm-ups`, bench: benchProvider });
