import { ErrorCode, type SessionError } from "../sessions/errors";

/** Codes the HTTP layer adds to the engine's. */
export const ApiErrorCode = {
  ...ErrorCode,
  UNAUTHORIZED: "UNAUTHORIZED",
  NOT_FOUND: "NOT_FOUND",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  RATE_LIMITED: "RATE_LIMITED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL",
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** The one table from error codes to HTTP statuses. */
export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  VALIDATION_FAILED: 400,
  TOKEN_MALFORMED: 400,
  STATE_INVALID: 400,
  UNAUTHORIZED: 401,
  SESSION_EXPIRED: 401,
  SESSION_REVOKED: 401,
  TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  USER_DISABLED: 403,
  APP_DISABLED: 403,
  SESSION_NOT_FOUND: 404,
  APP_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  ROTATION_CONFLICT: 409,
  APP_NAME_TAKEN: 409,
  SESSION_LIMIT: 409,
  NOT_A_GUEST_SESSION: 422,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

const API_ERROR = Symbol.for("latchkey.ApiError");

/** A failure the HTTP layer reports as `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  readonly [API_ERROR] = true;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** An API answer before it is written: by Next.js as a Response, or by the hot path to node:http. */
export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function reply(body: unknown, status = 200, headers?: Record<string, string>): ApiReply {
  return { status, body, headers: { "cache-control": "no-store", ...headers } };
}

export function webResponse({ status, body, headers }: ApiReply): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

export function errorReply(code: ApiErrorCode, message: string, details?: Record<string, unknown>, headers?: Record<string, string>): ApiReply {
  return reply({ error: { code, message, ...(details ? { details } : {}) } }, HTTP_STATUS[code], headers);
}

export function errorResponse(code: ApiErrorCode, message: string, details?: Record<string, unknown>, headers?: Record<string, string>): Response {
  return webResponse(errorReply(code, message, details, headers));
}

/**
 * An engine error as a reply. A refused session token (the error names a refusal reason) is
 * a 401 whatever its code: the caller's token is no good, and `details.reason` says why.
 */
export function sessionErrorReply(error: SessionError): ApiReply {
  const refused = typeof error.details?.reason === "string";
  const status = refused ? 401 : HTTP_STATUS[error.code];
  return reply({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } }, status);
}

export function isApiError(error: unknown): error is ApiError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[API_ERROR] === true;
}
