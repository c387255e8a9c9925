import { formatTime } from "@/lib/sessions/words";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago", "in 2 days", relative to `now` (passed in so server and browser agree). */
export function formatRelative(iso: string, now: string): string {
  const diff = new Date(iso).getTime() - new Date(now).getTime();
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === "second") return relative.format(Math.round(diff / ms), unit);
  }
  return iso;
}

/** An exact time, "26 Nov 2026 14:02:05 UTC": the one format of the console and its diagnoses. */
export function formatExact(iso: string): string {
  return formatTime(new Date(iso));
}
