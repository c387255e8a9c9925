import { listSessionsQuery } from "../api/schemas";
import type { ListSessionsInput } from "../sessions/schemas";

/** The query-string keys of the sessions view (filters, sort, cursor): the view lives in the URL. */
export const SESSION_QUERY_KEYS = [
  "app",
  "status",
  "sessionId",
  "user",
  "kind",
  "tenantId",
  "ip",
  "device",
  "createdFrom",
  "createdTo",
  "lastSeenFrom",
  "lastSeenTo",
  "revokedFrom",
  "revokedTo",
  "reason",
  "sort",
  "order",
  "cursor",
] as const;

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function get(params: Params, key: string): string | undefined {
  const value = params instanceof URLSearchParams ? params.getAll(key).join(",") : params[key];
  const text = Array.isArray(value) ? value.join(",") : value;
  return text && text.trim() !== "" ? text.trim() : undefined;
}

/**
 * Reads the sessions view from a query string with the API's schema, so the console, its CSV
 * export and GET /api/v1/sessions accept the same filters. Returns the input, or the message.
 */
export function parseSessionQuery(params: Params): { input: ListSessionsInput; values: Record<string, string>; error: string | null } {
  const values: Record<string, string> = {};
  for (const key of SESSION_QUERY_KEYS) {
    const value = get(params, key);
    if (value !== undefined) values[key] = value;
  }
  const { app: _app, ...filters } = values;
  const parsed = listSessionsQuery.safeParse(filters);
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `${issue.path.join(".") || "query"}: ${issue.message}`).join("; ");
    return { input: {}, values, error: `These filters are not valid: ${message}.` };
  }
  return { input: parsed.data, values, error: null };
}

/** A query string for the view, with some values replaced (undefined removes a key). */
export function sessionQueryString(values: Record<string, string>, changes: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...changes })) {
    if (value !== undefined && value !== "") query.set(key, value);
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}
