import type { z } from "zod";
import type { RefusalOperation } from "../sessions/refusal-log";
import type { ApiErrorCode } from "./errors";
import type { ApiScope } from "./scopes";
import * as s from "./schemas";

/** One operation of the HTTP API: the route handlers and the OpenAPI document both read these. */
export interface Endpoint {
  operationId: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  /** The scope a key needs; "any" for any valid key; null for no key at all. */
  scope: ApiScope | "any" | null;
  summary: string;
  body?: z.ZodType;
  /** When true, an empty body stands for `{}`. */
  bodyOptional?: boolean;
  query?: z.ZodType;
  params?: z.ZodType;
  response: { status: number; schema: z.ZodType };
  errors: ApiErrorCode[];
  /**
   * The engine operation on a presented token: its refusals count toward the per-key and per-IP
   * rate limit, and the refusals of that limit go to the refusal log under this operation.
   */
  limitFailures?: RefusalOperation;
}

const AUTH_ERRORS: ApiErrorCode[] = ["UNAUTHORIZED", "FORBIDDEN", "RATE_LIMITED", "SERVICE_UNAVAILABLE"];
const BODY_ERRORS: ApiErrorCode[] = ["VALIDATION_FAILED", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"];
const TOKEN_ERRORS: ApiErrorCode[] = ["TOKEN_MALFORMED", "SESSION_NOT_FOUND", "SESSION_EXPIRED", "SESSION_REVOKED", "TOKEN_REUSED", "USER_DISABLED"];

export const endpoints = {
  createSession: {
    operationId: "createSession",
    method: "POST",
    path: "/api/v1/sessions",
    scope: "sessions:write",
    summary: "Start a session for a user; returns its token once",
    body: s.createSessionBody,
    response: { status: 201, schema: s.issuedSessionOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, "USER_DISABLED"],
  },
  createGuestSession: {
    operationId: "createGuestSession",
    method: "POST",
    path: "/api/v1/sessions/guest",
    scope: "sessions:write",
    summary: "Start a guest session for a generated anonymous user id",
    body: s.createGuestBody,
    bodyOptional: true,
    response: { status: 201, schema: s.issuedSessionOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS],
  },
  createServiceSession: {
    operationId: "createServiceSession",
    method: "POST",
    path: "/api/v1/sessions/service",
    scope: "service-sessions",
    summary: "Start a service session for an automation client: scopes, a lifetime of at most a day, optionally acting for a person",
    body: s.createServiceBody,
    response: { status: 201, schema: s.issuedServiceSessionOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, "SESSION_NOT_FOUND", "USER_DISABLED"],
  },
  resolveSession: {
    operationId: "resolveSession",
    method: "POST",
    path: "/api/v1/sessions/resolve",
    scope: "sessions:read",
    summary: "Resolve a token to its session and user, or say why it is refused (200 either way)",
    body: s.resolveBody,
    response: { status: 200, schema: s.resolveOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS],
    limitFailures: "resolve",
  },
  refreshSession: {
    operationId: "refreshSession",
    method: "POST",
    path: "/api/v1/sessions/refresh",
    scope: "sessions:write",
    summary: "Slide a session's idle expiry (never past its absolute cap); with rotate, replace its token",
    body: s.refreshBody,
    response: { status: 200, schema: s.refreshOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, ...TOKEN_ERRORS, "ROTATION_CONFLICT"],
    limitFailures: "refresh",
  },
  exchangeSession: {
    operationId: "exchangeSession",
    method: "POST",
    path: "/api/v1/sessions/token",
    scope: "sessions:read",
    summary: "Exchange a live session token for a short-lived signed access token (verify it with the JWKS, no database)",
    body: s.exchangeBody,
    response: { status: 200, schema: s.accessTokenOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, ...TOKEN_ERRORS],
    limitFailures: "exchange",
  },
  upgradeGuestSession: {
    operationId: "upgradeGuestSession",
    method: "POST",
    path: "/api/v1/sessions/upgrade",
    scope: "sessions:write",
    summary: "Turn a guest session into a user's, with a new token",
    body: s.upgradeBody,
    response: { status: 200, schema: s.issuedSessionOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, ...TOKEN_ERRORS, "ROTATION_CONFLICT", "NOT_A_GUEST_SESSION"],
    limitFailures: "upgrade",
  },
  listSessions: {
    operationId: "listSessions",
    method: "GET",
    path: "/api/v1/sessions",
    scope: "sessions:read",
    summary: "Every session, expired and revoked included, filtered, sorted and paged by cursor",
    query: s.listSessionsQuery,
    response: { status: 200, schema: s.sessionPageOutput },
    errors: [...AUTH_ERRORS, "VALIDATION_FAILED"],
  },
  getSession: {
    operationId: "getSession",
    method: "GET",
    path: "/api/v1/sessions/{id}",
    scope: "sessions:read",
    summary: "One session, in any status",
    params: s.sessionIdParams,
    response: { status: 200, schema: s.oneSessionOutput },
    errors: [...AUTH_ERRORS, "SESSION_NOT_FOUND"],
  },
  updateSession: {
    operationId: "updateSession",
    method: "PATCH",
    path: "/api/v1/sessions/{id}",
    scope: "sessions:write",
    summary: "Relabel a session's device or move it to another tenant",
    params: s.sessionIdParams,
    body: s.patchSessionBody,
    response: { status: 200, schema: s.oneSessionOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, "SESSION_NOT_FOUND"],
  },
  revokeSession: {
    operationId: "revokeSession",
    method: "DELETE",
    path: "/api/v1/sessions/{id}",
    scope: "sessions:write",
    summary: "Revoke one session (reason and note optional)",
    params: s.sessionIdParams,
    body: s.revokeBody,
    bodyOptional: true,
    response: { status: 200, schema: s.revokedOneOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, "SESSION_NOT_FOUND"],
  },
  listUserSessions: {
    operationId: "listUserSessions",
    method: "GET",
    path: "/api/v1/users/{userId}/sessions",
    scope: "sessions:read",
    summary: "A user's live sessions, most recently active first",
    params: s.userIdParams,
    response: { status: 200, schema: s.sessionListOutput },
    errors: [...AUTH_ERRORS, "VALIDATION_FAILED"],
  },
  revokeUserSessions: {
    operationId: "revokeUserSessions",
    method: "DELETE",
    path: "/api/v1/users/{userId}/sessions",
    scope: "sessions:write",
    summary: "Log a user out everywhere; returns how many sessions ended",
    params: s.userIdParams,
    body: s.revokeUserBody,
    bodyOptional: true,
    response: { status: 200, schema: s.revokedCountOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS],
  },
  diagnose: {
    operationId: "diagnose",
    method: "POST",
    path: "/api/v1/diagnose",
    scope: "sessions:admin",
    summary: "Why a token, a session (sessionId) or a user (user: id or email) is refused, in plain words with the evidence; the token is neither stored nor logged",
    body: s.diagnoseBody,
    response: { status: 200, schema: s.diagnosisOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS],
  },
  sweepSessions: {
    operationId: "sweepSessions",
    method: "POST",
    path: "/api/v1/sweep",
    scope: "sessions:admin",
    summary: "Delete sessions dead for longer than the retention period (dryRun: count only)",
    body: s.sweepBody,
    bodyOptional: true,
    response: { status: 200, schema: s.sweepOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS],
  },
  issueOAuthState: {
    operationId: "issueOAuthState",
    method: "POST",
    path: "/api/v1/oauth-states",
    scope: "oauth-states",
    summary: "Issue a short-lived, single-use OAuth state token carrying optional data",
    body: s.issueStateBody,
    bodyOptional: true,
    response: { status: 201, schema: s.issuedStateOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS],
  },
  consumeOAuthState: {
    operationId: "consumeOAuthState",
    method: "POST",
    path: "/api/v1/oauth-states/consume",
    scope: "oauth-states",
    summary: "Consume an OAuth state: its data, exactly once",
    body: s.consumeStateBody,
    response: { status: 200, schema: s.consumedStateOutput },
    errors: [...AUTH_ERRORS, ...BODY_ERRORS, "STATE_INVALID"],
  },
  openApi: {
    operationId: "getOpenApiDocument",
    method: "GET",
    path: "/api/v1/openapi.json",
    scope: null,
    summary: "This OpenAPI 3.1 document",
    response: { status: 200, schema: s.errorOutput.partial() },
    errors: [],
  },
  whoami: {
    operationId: "whoami",
    method: "GET",
    path: "/api/v1/me",
    scope: "any",
    summary: "Who is calling: the API key, or the console account, with its scopes",
    response: { status: 200, schema: s.whoamiOutput },
    errors: AUTH_ERRORS,
  },
  createConsoleSession: {
    operationId: "createConsoleSession",
    method: "POST",
    path: "/api/v1/console-sessions",
    scope: null,
    summary: "Sign in with a console account's email and password (ADMIN or SUPPORT) for the command line: a session token usable as a bearer, with the role's scopes",
    body: s.consoleSessionBody,
    response: { status: 201, schema: s.consoleSessionOutput },
    errors: ["UNAUTHORIZED", "FORBIDDEN", "RATE_LIMITED", "SERVICE_UNAVAILABLE", ...BODY_ERRORS],
  },
  statistics: {
    operationId: "statistics",
    method: "GET",
    path: "/api/v1/stats",
    scope: "sessions:read",
    summary: "The overview's figures: live, expired-not-swept, revoked in 24 h, sessions created per hour and day, top browsers, systems and device types",
    response: { status: 200, schema: s.statisticsOutput },
    errors: AUTH_ERRORS,
  },
  jwks: {
    operationId: "jwks",
    method: "GET",
    path: "/.well-known/jwks.json",
    scope: null,
    summary: "The public keys that verify access tokens (JWK Set); a retired key stays until its tokens have expired",
    response: { status: 200, schema: s.jwksOutput },
    errors: [],
  },
  health: {
    operationId: "getHealth",
    method: "GET",
    path: "/api/health",
    scope: null,
    summary: "Liveness and database reachability (503 when the database is unreachable)",
    response: { status: 200, schema: s.healthOutput },
    errors: ["SERVICE_UNAVAILABLE"],
  },
} satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;
