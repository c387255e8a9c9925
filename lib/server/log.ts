import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../env";
import { getLatchkey } from "./latchkey";

/**
 * The server's log: one JSON object a line on stdout. Never give it a token, a query string or
 * an Authorization or Cookie header; the request log (lib/server/observe.ts) writes only the
 * fields it names.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  // Asynchronous: a request does not wait on a write to stdout (several lines go out in one write
  // under load); pino writes what is left when the process exits.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

const shared = globalThis as typeof globalThis & { [key: symbol]: Logger | undefined };
const LOGGER_KEY = Symbol.for("latchkey.logger");

/** The process's logger at LATCHKEY_LOG_LEVEL (one for every bundle, on globalThis). */
export function getLogger(): Logger {
  return (shared[LOGGER_KEY] ??= createLogger(getLatchkey().env.logLevel));
}
