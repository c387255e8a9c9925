import { UAParser } from "ua-parser-js";

export interface ParsedUserAgent {
  browser: string | null;
  os: string | null;
  /** desktop, mobile, tablet, console, smarttv, wearable, embedded, or null when unknown. */
  deviceType: string | null;
}

export const MAX_USER_AGENT_LENGTH = 512;

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
