import { describeDevice } from "./user-agent";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "26 Nov 2026 14:02:05 UTC": the one way the console, the debugger and diagnoses write a time. */
export function formatTime(date: Date): string {
  const day = date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return `${day} ${date.toISOString().slice(11, 19)} UTC`;
}

/** "12 seconds", "3 minutes", "2 hours", "5 days": a length of time, rounded to its largest unit. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY, "day"],
    [HOUR, "hour"],
    [MINUTE, "minute"],
    [SECOND, "second"],
  ];
  for (const [size, name] of units) {
    if (Math.abs(ms) >= size) {
      const n = Math.round(ms / size);
      return `${n.toLocaleString("en-US")} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return "0 seconds";
}

/** "30 minutes", "14 days", "90 seconds": a number of seconds, in the largest unit that holds it exactly. */
export function durationWords(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n.toLocaleString("en-US")} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds.toLocaleString("en-US")} seconds`;
}

/** "support@example.com", "API key billing-app", "the system (sweep)", from a revokedBy label. */
export function describeActor(label: string | null): string {
  if (!label) return "an unknown actor";
  const colon = label.indexOf(":");
  const type = colon < 0 ? "" : label.slice(0, colon);
  const name = colon < 0 ? label : label.slice(colon + 1);
  if (type === "api_key") return `API key ${name}`;
  if (type === "system") return `the system (${name})`;
  return name;
}

const REASON_WORDS: Record<string, string> = {
  LOGGED_OUT_EVERYWHERE: "log out everywhere",
  SIGNED_OUT: "signed out",
  USER_DISABLED: "user disabled",
  REUSE_DETECTED: "reuse detected",
  ROTATED: "replaced by a newer token",
  REVOKED: "revoked",
  PASSWORD_CHANGED: "password changed",
  ROLE_CHANGED: "role changed",
  SESSION_LIMIT: "session limit",
};

/** "log out everywhere, ticket 4711": a revoke reason in words, with its note. */
export function reasonWords(reason: string | null, note: string | null): string {
  const words = reason ? (REASON_WORDS[reason] ?? reason) : "no reason given";
  return note ? `${words}, ${note}` : words;
}

/** An address as people read it: an IPv4 address seen through an IPv6 socket ("::ffff:127.0.0.1") as plain IPv4. */
export function plainAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/**
 * "203.0.113.9 with Mobile Safari on iOS", "203.0.113.99 with python-requests/2.31.0": where a
 * request came from, as far as it is known (the agent named as a browser where it is one); null
 * when nothing is.
 */
export function describeOrigin(ip: string | null, userAgent: string | null, parsed?: { browser: string | null; os: string | null }): string | null {
  const device = parsed ? describeDevice({ ...parsed, deviceType: null }) : null;
  const agent = device ?? (userAgent ? userAgent.slice(0, 80) : null);
  if (ip && agent) return `${plainAddress(ip)} with ${agent}`;
  if (ip) return plainAddress(ip);
  return agent ? `an unknown address with ${agent}` : null;
}
