import { durationWords, formatTime, reasonWords } from "@/lib/sessions/words";

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

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** "deviceLabel" → "device label", "idleTimeoutSeconds" → "idle timeout". */
function labelOf(key: string): string {
  return key
    .replace(/Seconds$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_.]/g, " ")
    .toLowerCase();
}

/** One value of an event's details or a session's metadata as people read it. */
function valueText(key: string, value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string") {
    if (key === "reason" && /^[A-Z_]+$/.test(value)) return reasonWords(value, null);
    return ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? formatTime(new Date(value)) : value;
  }
  if (typeof value === "number") return key.endsWith("Seconds") && Number.isInteger(value) && value > 0 ? durationWords(value) : value.toLocaleString("en-US");
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) {
    const items = value.map((item) => valueText(key, item)).filter((item): item is string => item !== null);
    return items.length > 0 ? items.join(", ") : null;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const change = value as { from?: unknown; to?: unknown };
    if (entries.length === 2 && "from" in change && "to" in change) return `${valueText(key, change.from) ?? "none"} → ${valueText(key, change.to) ?? "none"}`;
    const parts = entries.map(([inner, innerValue]) => {
      const text = valueText(inner, innerValue);
      return text === null ? null : `${labelOf(inner)} ${text}`;
    });
    const kept = parts.filter((part): part is string => part !== null);
    return kept.length > 0 ? kept.join(", ") : null;
  }
  return String(value);
}

/**
 * An audit event's details (or a session's metadata) as labelled text, never raw JSON:
 * `[["reason", "revoked"], ["note", "ticket 4711"], ["revoked", "12"]]`, read as
 * "reason: revoked · note: ticket 4711 · revoked: 12". Empty values are left out.
 */
export function labelledDetails(details: Record<string, unknown> | null | undefined): [string, string][] {
  if (!details) return [];
  return Object.entries(details)
    .map(([key, value]): [string, string | null] => [labelOf(key), valueText(key, value)])
    .filter((entry): entry is [string, string] => entry[1] !== null);
}

/** `labelledDetails` on one line, "reason: revoked · note: ticket 4711", or "—" when there is nothing. */
export function detailsText(details: Record<string, unknown> | null | undefined): string {
  const entries = labelledDetails(details);
  return entries.length > 0 ? entries.map(([label, value]) => `${label}: ${value}`).join(" · ") : "—";
}
