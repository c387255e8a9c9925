import { UAParser } from "ua-parser-js";

export interface ParsedUserAgent {
  browser: string | null;
  os: string | null;
  /** desktop, mobile, tablet, console, smarttv, wearable, embedded, or null when unknown. */
  deviceType: string | null;
}

export const MAX_USER_AGENT_LENGTH = 512;

/**
 * A user agent as it is kept: at most MAX_USER_AGENT_LENGTH characters, each control character
 * (and any unpaired surrogate) replaced by U+FFFD. PostgreSQL refuses NUL in text, and line
 * breaks or escape sequences would reach logs, CSV exports and terminals.
 */
export function cleanUserAgent(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  return userAgent.slice(0, MAX_USER_AGENT_LENGTH).replace(/[\p{Cc}\p{Cs}]/gu, "\uFFFD");
}

/** Browser, OS and device type from a User-Agent header, for naming devices in lists. */
export function parseUserAgent(userAgent: string | null | undefined): ParsedUserAgent {
  if (!userAgent) return { browser: null, os: null, deviceType: null };
  const result = new UAParser(userAgent.slice(0, MAX_USER_AGENT_LENGTH)).getResult();
  const browser = result.browser.name ?? null;
  const os = result.os.name ?? null;
  const deviceType = result.device.type ?? (browser || os ? "desktop" : null);
  return { browser, os, deviceType };
}

/** "Chrome on macOS", or null when nothing is known. */
export function describeDevice(parsed: ParsedUserAgent): string | null {
  if (parsed.browser && parsed.os) return `${parsed.browser} on ${parsed.os}`;
  return parsed.browser ?? parsed.os ?? null;
}
