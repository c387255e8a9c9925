// `npm run bench:refusals -- [--only sqlite|postgres] [--seconds 3] [--rounds 3]`
// Resolve throughput with the refusal log off and on, in the same process on the same data:
// live tokens (nothing to log) and revoked tokens (every resolve logs a refusal). Rounds
// alternate off and on so that drift of the machine's speed hits both alike; the median round
// of each is printed.
import { parseArgs } from "node:util";
import { runBench, type BenchProvider } from "./harness";
import { openDatabase } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { createPrismaSessionRepository } from "../lib/db/session-repository";
import { systemClock } from "../lib/sessions/clock";
import { resolveSessionConfig } from "../lib/sessions/config";
import { createSessionEngine } from "../lib/sessions/engine";
import { createRefusalLog } from "../lib/sessions/refusal-log";
import { createScratchDatabase } from "../lib/testing/scratch-database";

const { values } = parseArgs({
  options: { only: { type: "string" }, seconds: { type: "string", default: "3" }, rounds: { type: "string", default: "3" }, tokens: { type: "string", default: "2000" } },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const TOKENS = Number(values.tokens);

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function benchProvider(provider: BenchProvider): Promise<string[]> {
  const target = await createScratchDatabase(provider === "postgres" ? "postgresql" : "sqlite", "latchkey_bench");
  const database = openDatabase(target.url);
  try {
    await applyMigrations(target.url);
    const repository = createPrismaSessionRepository(database);
    const config = resolveSessionConfig({ idleTimeoutSeconds: 24 * 3600, touchIntervalSeconds: 3600 });
    const refusals = createRefusalLog({ store: repository, clock: systemClock, retentionSeconds: 86_400 });
    const withoutLog = createSessionEngine({ repository, config, clock: systemClock }).app("default");
    const withLog = createSessionEngine({ repository, config, clock: systemClock, refusals }).app("default");

    const live: string[] = [];
    const revoked: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      const issued = await withoutLog.createSession({ userId: `bench-${i % 200}`, userAgent: "Mozilla/5.0 (Macintosh) Safari/605.1.15", ip: "203.0.113.7" });
      if (i % 2 === 0) live.push(issued.token);
      else {
        revoked.push(issued.token);
        await withoutLog.revokeSession(issued.session.id, { reason: "REVOKED" });
      }
    }

    /** Sequential resolves of `tokens` for SECONDS: resolves per second. */
    async function rate(engine: typeof withLog, tokens: string[]): Promise<number> {
      const started = performance.now();
      const until = Date.now() + SECONDS * 1000;
      let done = 0;
      while (Date.now() < until) {
        for (let i = 0; i < 100; i++) await engine.resolveSession(tokens[(done + i) % tokens.length]!, { source: "bench", ip: "198.51.100.1", userAgent: "bench" });
        done += 100;
      }
      await refusals.flush(); // the log's writes count against the round that made them
      return done / ((performance.now() - started) / 1000);
    }

    const lines = [
      `| resolve (${provider}, sequential) | log off, ops/s | log on, ops/s | on / off |`,
      "| --- | ---: | ---: | ---: |",
    ];
    for (const [label, tokens] of [
      ["live tokens (nothing to log)", live],
      ["revoked tokens (every resolve refused and logged)", revoked],
    ] as const) {
      await rate(withoutLog, tokens); // warm-up
      const off: number[] = [];
      const on: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        off.push(await rate(withoutLog, tokens));
        on.push(await rate(withLog, tokens));
      }
      const [a, b] = [median(off), median(on)];
      lines.push(`| ${label} | ${Math.round(a).toLocaleString("en")} | ${Math.round(b).toLocaleString("en")} | ${((b / a) * 100).toFixed(0)} % |`);
      console.info(lines.at(-1));
    }
    const written = await database.prisma.refusal.count();
    lines.push("", `${written.toLocaleString("en")} refusals written in batches during the "on" rounds; ${refusals.dropped} dropped.`);
    return lines;
  } finally {
    await database.close();
    await target.drop();
  }
}

runBench({ only: values.only, setup: `${TOKENS} tokens, ${ROUNDS} rounds of ${SECONDS} s each way, median round`, bench: benchProvider });
