const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Seconds from a duration such as "90s", "30m", "12h", "30d", or a plain number of seconds.
 * Returns null for anything else.
 */
export function parseDurationSeconds(text: string): number | null {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * UNITS[(match[2] || "s").toLowerCase()]!;
  return Number.isSafeInteger(value) ? value : null;
}

/** A number of seconds as the largest unit that holds it exactly: 1800 → "30m", 2592000 → "30d". */
export function formatDurationSeconds(seconds: number): string {
  for (const unit of ["d", "h", "m"] as const) {
    if (seconds > 0 && seconds % UNITS[unit]! === 0) return `${seconds / UNITS[unit]!}${unit}`;
  }
  return `${seconds}s`;
}
