import { SECOND, event, scopeKey, type EngineContext } from "./context";
import type { Figures } from "./figures";
import type { SweepCursor } from "./repository";
import { CONSOLE_APP_ID, type AppScope } from "./policy";
import { parseInput, sweepSchema, type SweepInput } from "./schemas";
import type { Actor, SweepCounts } from "./types";

export interface SweepResult extends SweepCounts {
  dryRun: boolean;
  total: number;
  cutoff: Date;
  /** OAuth states consumed or expired before the cutoff, deleted with the sessions (0 on a dry run). */
  oauthStates: number;
}

/**
 * What the retention still keeps: sessions that have ended but may not be swept yet, and when the
 * first of them becomes sweepable.
 */
export async function retained(ctx: EngineContext, scope: AppScope): Promise<RetainedSessions> {
  const now = ctx.clock.now();
  const retentionSeconds = ctx.config.retentionSeconds;
  return retainedOf(await ctx.repository.countInRetention(scope, new Date(now.getTime() - retentionSeconds * SECOND), now), retentionSeconds);
}

export interface RetainedSessions {
  count: number;
  firstDeletableAt: Date | null;
  retentionSeconds: number;
}

function retainedOf({ count, firstEndedAt }: { count: number; firstEndedAt: Date | null }, retentionSeconds: number): RetainedSessions {
  return { count, firstDeletableAt: firstEndedAt ? new Date(firstEndedAt.getTime() + retentionSeconds * SECOND) : null, retentionSeconds };
}

const DAY_SECONDS = 86_400;

/** What the sweep page shows: what a sweep would delete now, by how and how long ago they ended, and what the retention keeps. */
export interface SweepPreview {
  sweepable: SweepCounts & { total: number };
  /** Sweepable sessions that ended between the retention and 30 days ago, 30 to 90 days ago, and before. */
  byAge: { toMonth: number; toQuarter: number; older: number };
  retained: RetainedSessions;
}

/**
 * The sweep page's figures, read in one pass over the sessions and shared like the overview's
 * (see figures.ts): live while cheap, otherwise as of their last computation.
 */
export async function sweepPreview(ctx: EngineContext, scope: AppScope): Promise<Figures<SweepPreview>> {
  return ctx.figures.get(`sweep-preview:${scopeKey(scope)}`, async () => {
    const now = ctx.clock.now();
    const retentionSeconds = ctx.config.retentionSeconds;
    const before = (seconds: number) => new Date(now.getTime() - Math.max(retentionSeconds, seconds) * SECOND);
    const { endedBy, retained: kept } = await ctx.repository.deadSessionFigures(scope, now, [before(0), before(30 * DAY_SECONDS), before(90 * DAY_SECONDS)]);
    const total = (counts: SweepCounts) => counts.idleExpired + counts.absoluteExpired + counts.revoked;
    const [all, month, quarter] = endedBy.map(total) as [number, number, number];
    return {
      sweepable: { ...endedBy[0]!, total: all },
      byAge: { toMonth: all - month, toQuarter: month - quarter, older: quarter },
      retained: retainedOf(kept, retentionSeconds),
    };
  });
}

/** Up to how many sessions swept a sweep lets go of device texts at its end too (see sweepInBatches). */
const PRUNE_AFTER_AT_MOST = 50_000;

const parseSweepInput = (input: SweepInput) => parseInput(sweepSchema, input);

/**
 * Deletes the sessions in `scope` that ended more than the retention period ago, in batches,
 * leaving a tombstone for each, and the OAuth states consumed or expired as long ago. With
 * `dryRun`, only counts.
 */
export async function sweepSessions(
  ctx: EngineContext,
  scope: AppScope,
  input: SweepInput = {},
  actor: Actor = { type: "system", label: "sweep" },
  options: { onBatch?: (sweptSoFar: SweepCounts) => void } = {},
): Promise<SweepResult> {
  const valid = parseSweepInput(input);
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - (valid.retentionSeconds ?? ctx.config.retentionSeconds) * SECOND);
  if (valid.dryRun) {
    // Indexed counts: a dry run of one application reads its own dead sessions only.
    const counts = await ctx.repository.countSweepable(scope, cutoff);
    return { ...counts, total: counts.idleExpired + counts.absoluteExpired + counts.revoked, dryRun: true, cutoff, oauthStates: 0 };
  }
  ctx.observer?.sweepStarted();
  try {
    return await sweepInBatches(ctx, scope, valid, now, cutoff, actor, options);
  } finally {
    ctx.observer?.sweepFinished();
  }
}

async function sweepInBatches(
  ctx: EngineContext,
  scope: AppScope,
  valid: ReturnType<typeof parseSweepInput>,
  now: Date,
  cutoff: Date,
  actor: Actor,
  options: { onBatch?: (sweptSoFar: SweepCounts) => void },
): Promise<SweepResult> {
  const batchSize = Math.min(valid.batchSize ?? ctx.config.sweepBatchSize, valid.limit ?? Infinity);
  const totals: SweepCounts = { idleExpired: 0, absoluteExpired: 0, revoked: 0 };
  // Device texts no session holds any more are let go of before a sweep, and after one that swept
  // few sessions. After a large one, PostgreSQL's check of each text would step over every deleted
  // row's index entries (3 s after a million), which vacuum removes before the next sweep.
  await ctx.repository.pruneDeviceTexts();
  // A sweep in steps (`limit`, as the CLI's) picks through the indexes: a walk through the table's
  // pages would start again from its first page at every step.
  const lanes: SweepCursor[] = valid.limit === undefined ? await ctx.repository.planSweep(scope, cutoff, batchSize) : [{ by: "index" }];
  const sweptSoFar = () => totals.idleExpired + totals.absoluteExpired + totals.revoked;
  let failed = false;
  const walk = async (start: SweepCursor) => {
    let cursor: SweepCursor | null = start;
    while (cursor && !failed) {
      const batch = await ctx.repository.sweepBatch(scope, cutoff, now, batchSize, cursor);
      totals.idleExpired += batch.idleExpired;
      totals.absoluteExpired += batch.absoluteExpired;
      totals.revoked += batch.revoked;
      options.onBatch?.({ ...totals });
      if (valid.limit !== undefined && sweptSoFar() >= valid.limit) break;
      cursor = batch.next;
      // Let requests waiting on this process run between batches (SQLite's driver is synchronous).
      if (cursor) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  // Lanes walk at once; when one fails, the others stop after their batch, and the sweep fails.
  const outcomes = await Promise.allSettled(
    lanes.map((lane) =>
      walk(lane).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const failure = outcomes.find((outcome) => outcome.status === "rejected");
  if (failure) throw failure.reason;
  const total = sweptSoFar();
  if (total > 0 && total <= PRUNE_AFTER_AT_MOST) await ctx.repository.pruneDeviceTexts();
  const oauthStates = await ctx.repository.deleteOAuthStatesBefore(scope, cutoff);
  await ctx.repository.appendEvents([
    event(ctx, typeof scope === "string" ? scope : CONSOLE_APP_ID, "sessions.swept", actor, {
      details: { ...totals, total, oauthStates, cutoff: cutoff.toISOString(), scope: typeof scope === "string" ? scope : "all applications" },
    }),
  ]);
  return { ...totals, total, dryRun: false, cutoff, oauthStates };
}
