import { z } from "zod";
import { MAX_DURATION_SECONDS } from "./config";
import { ErrorCode, SessionError } from "./errors";
import { SESSION_LIMIT_ACTIONS } from "./policy";
import { MANUAL_REVOKE_REASONS, REVOKE_REASONS, SESSION_KINDS, SESSION_SORT_FIELDS, SESSION_STATUSES } from "./types";

/**
 * The shapes of every engine input, in one place: the console's forms and actions and the HTTP
 * API validate with these same schemas.
 */

const NO_CONTROL_CHARS = /^[^\p{Cc}\p{Cs}]*$/u;

/** A printable, trimmed identifier (user id, tenant id). */
export const identifierSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(NO_CONTROL_CHARS, "must not contain control characters");

export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, "is not a session id");

export const userAgentSchema = z.string().max(2048, "must be at most 2048 characters");
export const ipAddressSchema = z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" });

export const deviceLabelSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters")
  .regex(NO_CONTROL_CHARS, "must not contain control characters");

const noteSchema = z.string().trim().max(500, "must be at most 500 characters").regex(NO_CONTROL_CHARS, "must not contain control characters");

const durationSchema = z.number().int("must be a whole number of seconds").min(1, "must be at least 1 second").max(MAX_DURATION_SECONDS, "is too long");

const metadataSchema = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 8192, "must be at most 8 KiB as JSON");

export const createSessionSchema = z
  .object({
    userId: identifierSchema,
    /** The person's email and name as the application knows them, kept on Latchkey's user so support can find them. */
    email: z.string().trim().toLowerCase().max(320, "must be at most 320 characters").email("must be an email address").nullish(),
    name: z.string().trim().min(1).max(200, "must be at most 200 characters").regex(NO_CONTROL_CHARS, "must not contain control characters").nullish(),
    kind: z
      .enum(["user"], {
        error: "must be user: start guest sessions with POST /api/v1/sessions/guest, and service sessions with POST /api/v1/sessions/service (the service-sessions scope)",
      })
      .default("user"),
    deviceLabel: deviceLabelSchema.nullish(),
    userAgent: userAgentSchema.nullish(),
    ip: ipAddressSchema.nullish(),
    tenantId: identifierSchema.nullish(),
    roles: z.array(z.string().trim().min(1).max(64).regex(NO_CONTROL_CHARS)).max(50, "at most 50 roles").default([]),
    metadata: metadataSchema.default({}),
    idleTimeoutSeconds: durationSchema.optional(),
    absoluteTimeoutSeconds: durationSchema.optional(),
  })
  .strict();
export type CreateSessionInput = z.input<typeof createSessionSchema>;

export const createGuestSessionSchema = createSessionSchema.omit({ userId: true, kind: true, email: true, name: true });

/** At most a day: a service session is short-lived by design; renew it by creating another. */
export const MAX_SERVICE_SESSION_SECONDS = 24 * 60 * 60;

/** A session for an automation client (a script, a CI job, an agent). */
export const createServiceSessionSchema = z
  .object({
    client: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a name of letters, digits, dots, dashes and underscores"),
    scopes: z.array(z.string().trim().min(1).max(64).regex(NO_CONTROL_CHARS)).min(1, "name at least one scope").max(50, "at most 50 scopes"),
    /** One hour by default (or the application's absolute cap, when shorter). */
    ttlSeconds: z.number().int().min(60).max(MAX_SERVICE_SESSION_SECONDS).optional(),
    delegatedBy: identifierSchema.nullish(),
    tenantId: identifierSchema.nullish(),
    metadata: metadataSchema.default({}),
  })
  .strict();
export type CreateServiceSessionInput = z.input<typeof createServiceSessionSchema>;
export type CreateGuestSessionInput = z.input<typeof createGuestSessionSchema>;

export const revokeSchema = z
  .object({
    reason: z.enum(MANUAL_REVOKE_REASONS).default("REVOKED"),
    note: noteSchema.nullish(),
  })
  .strict();
export type RevokeInput = z.input<typeof revokeSchema>;

/**
 * A date: an ISO time, or "2026-11-30 14:00" (a date, optionally with a time) read as UTC, as the
 * console's filters show times.
 */
const dateSchema = z.preprocess((value) => {
  if (typeof value !== "string") return value;
  const plain = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(value.trim());
  return plain ? `${plain[1]}T${plain[2] ?? "00:00"}Z` : value;
}, z.coerce.date({ error: "must be a date (2026-11-30 14:00, in UTC)" }));

export const sessionFilterSchema = z
  .object({
    status: z.array(z.enum(SESSION_STATUSES)).max(4).optional(),
    sessionId: sessionIdSchema.optional(),
    user: identifierSchema.optional(),
    userId: identifierSchema.optional(),
    kind: z.enum(SESSION_KINDS).optional(),
    tenantId: identifierSchema.optional(),
    ip: z.string().trim().min(1).max(64).regex(/^[0-9A-Fa-f.:]+$/, "must be an IP address or its prefix").optional(),
    device: z.string().trim().min(1).max(100).regex(NO_CONTROL_CHARS).optional(),
    createdFrom: dateSchema.optional(),
    createdTo: dateSchema.optional(),
    lastSeenFrom: dateSchema.optional(),
    lastSeenTo: dateSchema.optional(),
    revokedFrom: dateSchema.optional(),
    revokedTo: dateSchema.optional(),
    reason: z.array(z.enum(REVOKE_REASONS)).max(REVOKE_REASONS.length).optional(),
  })
  .strict();

/** Revoke by filter: every live session matching `filter`, with a reason; `dryRun` only counts. */
export const revokeByFilterSchema = z
  .object({
    filter: sessionFilterSchema.omit({ status: true, revokedFrom: true, revokedTo: true, reason: true }),
    dryRun: z.boolean().default(false),
    reason: z.enum(MANUAL_REVOKE_REASONS).default("REVOKED"),
    note: noteSchema.nullish(),
  })
  .strict();
export type RevokeByFilterInput = z.input<typeof revokeByFilterSchema>;

export const listSessionsSchema = sessionFilterSchema
  .extend({
    sort: z.enum(SESSION_SORT_FIELDS).default("createdAt"),
    order: z.enum(["asc", "desc"]).default("desc"),
    limit: z.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type ListSessionsInput = z.input<typeof listSessionsSchema>;

export const issueOAuthStateSchema = z
  .object({
    ttlSeconds: z.number().int().min(1).max(24 * 60 * 60).optional(),
    data: z
      .record(z.string().max(100), z.unknown())
      .refine((value) => JSON.stringify(value).length <= 4096, "must be at most 4 KiB as JSON")
      .optional(),
  })
  .strict();
export type IssueOAuthStateInput = z.input<typeof issueOAuthStateSchema>;

export const sweepSchema = z
  .object({
    dryRun: z.boolean().default(false),
    retentionSeconds: z.number().int().min(0).max(MAX_DURATION_SECONDS).optional(),
    batchSize: z.number().int().min(1).max(10_000).optional(),
    /** Stop after about this many (whole batches): a caller can sweep in steps and show progress. */
    limit: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();
export type SweepInput = z.input<typeof sweepSchema>;

export const auditFilterSchema = z
  .object({
    actor: z.string().trim().min(1).max(320).regex(NO_CONTROL_CHARS).optional(),
    type: z.string().trim().min(1).max(100).regex(/^[a-z_.]+$/, "is not an event type").optional(),
    userId: identifierSchema.optional(),
    sessionId: sessionIdSchema.optional(),
    from: dateSchema.optional(),
    to: dateSchema.optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type AuditFilterInput = z.input<typeof auditFilterSchema>;

/** What to diagnose: exactly one of a pasted token, a session id, or a user's id or email. */
export const diagnoseSchema = z
  .object({
    token: z.string().trim().max(4096).optional(),
    sessionId: sessionIdSchema.optional(),
    user: z.string().trim().min(1).max(320).regex(NO_CONTROL_CHARS).optional(),
  })
  .strict()
  .refine((input) => [input.token, input.sessionId, input.user].filter((value) => value !== undefined).length === 1, {
    message: "give exactly one of token, sessionId or user",
  });
export type DiagnoseInput = z.input<typeof diagnoseSchema>;

/** An application's name: what operators and the command line call it. */
export const applicationNameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "must start with a letter or digit and hold only letters, digits, spaces, dots, dashes and underscores");

/** An application's id, as minted ("app_…"), or one of the built-in ones. */
export const applicationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "is not an application id");

const policySeconds = (max: number) => z.number().int("must be a whole number of seconds").min(1, "must be at least 1 second").max(max, "is too long");

/** A change to an application's session policy: any of its fields. */
export const policyChangeSchema = z
  .object({
    idleTimeoutSeconds: policySeconds(MAX_DURATION_SECONDS).optional(),
    absoluteTimeoutSeconds: policySeconds(MAX_DURATION_SECONDS).optional(),
    touchIntervalSeconds: z.number().int().min(0, "must not be negative").max(MAX_DURATION_SECONDS).optional(),
    rotationGraceSeconds: z.number().int().min(0, "must not be negative").max(300, "must be at most 300 seconds").optional(),
    allowGuests: z.boolean().optional(),
    sessionLimit: z.number().int().min(1, "must be at least 1 (or null for no limit)").max(10_000).nullable().optional(),
    sessionLimitAction: z.enum(SESSION_LIMIT_ACTIONS).optional(),
  })
  .strict();
export type PolicyChangeInput = z.input<typeof policyChangeSchema>;

export const createApplicationSchema = z
  .object({ name: applicationNameSchema, policy: policyChangeSchema.optional() })
  .strict();
export type CreateApplicationInput = z.input<typeof createApplicationSchema>;

/** Parses input with a schema, or throws VALIDATION_FAILED naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join(".") : "(input)",
    message: issue.message,
  }));
  const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ");
  throw new SessionError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${message}.`, { issues });
}
