import type { PolicyImpact } from "../sessions/repository";
import type { SessionPolicy } from "../sessions/policy";
import { durationWords } from "../sessions/words";

const LIMIT_ACTION_WORDS: Record<SessionPolicy["sessionLimitAction"], string> = {
  END_LEAST_RECENTLY_USED: "the least recently used ends",
  END_OLDEST: "the oldest ends",
  REFUSE: "the new one is refused",
};

/** A policy in one line. */
export function describePolicy(policy: SessionPolicy): string {
  const limit = policy.sessionLimit === null ? "no session limit" : `at most ${policy.sessionLimit.toLocaleString("en-US")} live per user (past it, ${LIMIT_ACTION_WORDS[policy.sessionLimitAction]})`;
  return `idle ${durationWords(policy.idleTimeoutSeconds)}, at most ${durationWords(policy.absoluteTimeoutSeconds)}, ${policy.allowGuests ? "guests allowed" : "no guests"}, ${limit}`;
}

/** What a policy change ends, in words: "ends 41,203 live sessions now (…)". */
export function describeImpact(impact: PolicyImpact): string[] {
  const n = (count: number) => count.toLocaleString("en-US");
  const lines = [
    impact.ended === 0
      ? "It ends no live session now."
      : `It ends ${n(impact.ended)} live ${impact.ended === 1 ? "session" : "sessions"} now: ${n(impact.endedByAbsolute)} past the new absolute cap, ${n(impact.endedByIdle)} idle for longer than the new idle timeout.`,
  ];
  if (impact.usersOverLimit > 0) {
    lines.push(
      `${n(impact.usersOverLimit)} ${impact.usersOverLimit === 1 ? "user holds" : "users hold"} more live sessions than the new limit: ${n(impact.endedByLimit)} more ${impact.endedByLimit === 1 ? "session ends" : "sessions end"}.`,
    );
  }
  return lines;
}
