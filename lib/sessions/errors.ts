/** Stable error codes of the engine. The HTTP API and the console map them to statuses and messages. */
export const ErrorCode = {
  TOKEN_MALFORMED: "TOKEN_MALFORMED",
  SESSION_NOT_FOUND: "SESSION_NOT_FOUND",
  SESSION_EXPIRED: "SESSION_EXPIRED",
  SESSION_REVOKED: "SESSION_REVOKED",
  TOKEN_REUSED: "TOKEN_REUSED",
  USER_DISABLED: "USER_DISABLED",
  ROTATION_CONFLICT: "ROTATION_CONFLICT",
  NOT_A_GUEST_SESSION: "NOT_A_GUEST_SESSION",
  STATE_INVALID: "STATE_INVALID",
  VALIDATION_FAILED: "VALIDATION_FAILED",
  FORBIDDEN: "FORBIDDEN",
  CONFIG_INVALID: "CONFIG_INVALID",
  APP_NOT_FOUND: "APP_NOT_FOUND",
  APP_DISABLED: "APP_DISABLED",
  APP_NAME_TAKEN: "APP_NAME_TAKEN",
  SESSION_LIMIT: "SESSION_LIMIT",
  WEBHOOK_NOT_FOUND: "WEBHOOK_NOT_FOUND",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Why a presented session token was refused: finer than the error code, for logs and debugging. */
export const RefusalReason = {
  MALFORMED: "MALFORMED",
  UNKNOWN: "UNKNOWN",
  SECRET_MISMATCH: "SECRET_MISMATCH",
  IDLE_EXPIRED: "IDLE_EXPIRED",
  ABSOLUTE_EXPIRED: "ABSOLUTE_EXPIRED",
  REVOKED: "REVOKED",
  REUSE_DETECTED: "REUSE_DETECTED",
  USER_DISABLED: "USER_DISABLED",
  APP_DISABLED: "APP_DISABLED",
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

export const REFUSAL_ERROR_CODE: Record<RefusalReason, ErrorCode> = {
  MALFORMED: ErrorCode.TOKEN_MALFORMED,
  UNKNOWN: ErrorCode.SESSION_NOT_FOUND,
  SECRET_MISMATCH: ErrorCode.SESSION_NOT_FOUND,
  IDLE_EXPIRED: ErrorCode.SESSION_EXPIRED,
  ABSOLUTE_EXPIRED: ErrorCode.SESSION_EXPIRED,
  REVOKED: ErrorCode.SESSION_REVOKED,
  REUSE_DETECTED: ErrorCode.TOKEN_REUSED,
  USER_DISABLED: ErrorCode.USER_DISABLED,
  APP_DISABLED: ErrorCode.APP_DISABLED,
};

const REFUSAL_MESSAGE: Record<RefusalReason, string> = {
  MALFORMED: "The token is not a well-formed Latchkey session token.",
  UNKNOWN: "No session matches this token.",
  SECRET_MISMATCH: "No session matches this token.",
  IDLE_EXPIRED: "The session expired after a period of inactivity.",
  ABSOLUTE_EXPIRED: "The session reached its maximum lifetime.",
  REVOKED: "The session was revoked.",
  REUSE_DETECTED: "A replaced token was presented again; every session of its family was revoked.",
  USER_DISABLED: "The user of this session is disabled.",
  APP_DISABLED: "The application of this session is disabled.",
};

const SESSION_ERROR = Symbol.for("latchkey.SessionError");

/** A failure the engine expects and names. Messages are safe to show to a client. */
export class SessionError extends Error {
  readonly [SESSION_ERROR] = true;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "SessionError";
    this.code = code;
    this.details = details;
  }
}

export function refusalError(reason: RefusalReason, details?: Record<string, unknown>): SessionError {
  return new SessionError(REFUSAL_ERROR_CODE[reason], REFUSAL_MESSAGE[reason], { reason, ...details });
}

/**
 * True for engine errors, also when a bundler gave the caller its own copy of this module
 * (a plain instanceof would then miss them).
 */
export function isSessionError(error: unknown): error is SessionError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[SESSION_ERROR] === true;
}
