import { z } from "zod";
import {
  createGuestSessionSchema,
  createServiceSessionSchema,
  createSessionSchema,
  deviceLabelSchema,
  diagnoseSchema,
  identifierSchema,
  ipAddressSchema,
  issueOAuthStateSchema,
  applicationNameSchema,
  policyChangeSchema,
  revokeByFilterSchema,
  revokeSchema,
  sessionFilterSchema,
  sessionIdSchema,
  sweepSchema,
  userAgentSchema,
} from "../sessions/schemas";
import { Verdict } from "../sessions/diagnose";
import { SESSION_LIMIT_ACTIONS } from "../sessions/policy";
import { MANUAL_REVOKE_REASONS, REVOKE_REASONS, SESSION_KINDS, SESSION_SORT_FIELDS, SESSION_STATUSES } from "../sessions/types";

/** Request and response shapes of the HTTP API, built on the engine's input schemas. */

const tokenSchema = z.string({ error: "must be a string" }).min(1, "must not be empty").max(512, "is too long");

/** The end user's address and browser, for the refusal log; the API caller's when left out. */
const clientFields = {
  ip: ipAddressSchema.optional().describe("the end user's IP address, recorded if the token is refused"),
  userAgent: userAgentSchema.optional().describe("the end user's User-Agent, recorded if the token is refused"),
};
export const resolveBody = z.object({ token: tokenSchema, ...clientFields }).strict();
export const refreshBody = z.object({ token: tokenSchema, rotate: z.boolean().default(false), ...clientFields }).strict();
export const upgradeBody = z.object({ token: tokenSchema, userId: identifierSchema, ...clientFields }).strict();
export const diagnoseBody = diagnoseSchema;
export const createServiceBody = createServiceSessionSchema;
export const exchangeBody = resolveBody;
export const createSessionBody = createSessionSchema;
export const createGuestBody = createGuestSessionSchema;
export const patchSessionBody = z
  .object({ deviceLabel: deviceLabelSchema.nullable().optional(), tenantId: identifierSchema.nullable().optional() })
  .strict()
  .refine((body) => body.deviceLabel !== undefined || body.tenantId !== undefined, "name deviceLabel or tenantId to change");
export const revokeBody = revokeSchema;
/** Log out everywhere: the reason defaults to LOGGED_OUT_EVERYWHERE, as in the engine and the console. */
export const revokeUserBody = revokeSchema
  .extend({
    reason: z.enum(MANUAL_REVOKE_REASONS).default("LOGGED_OUT_EVERYWHERE"),
    exceptSessionId: sessionIdSchema.optional().describe("keep this one session (the device asking: \"sign out all others\")"),
  })
  .strict();
export const sweepBody = sweepSchema;
export const issueStateBody = issueOAuthStateSchema;
export const consumeStateBody = z.object({ state: tokenSchema }).strict();

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((value) => (typeof value === "string" ? value.split(",").filter(Boolean) : value), z.array(item));

/** GET /api/v1/sessions query string: the console's filters, a sort and a cursor. */
export const listSessionsQuery = sessionFilterSchema
  .omit({ status: true, reason: true })
  .extend({
    status: csv(z.enum(SESSION_STATUSES)).optional(),
    reason: csv(z.enum(REVOKE_REASONS)).optional().describe("revoke reasons, comma-separated"),
    sort: z.enum(SESSION_SORT_FIELDS).default("createdAt"),
    order: z.enum(["asc", "desc"]).default("desc"),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const sessionIdParams = z.object({ id: sessionIdSchema }).strict();
export const userIdParams = z.object({ userId: identifierSchema }).strict();

const isoDate = z.string().describe("ISO 8601 date-time");

export const sessionOutput = z.object({
  id: z.string(),
  appId: z.string().describe("the application the session belongs to"),
  userId: z.string(),
  kind: z.enum(SESSION_KINDS),
  status: z.enum(SESSION_STATUSES),
  tenantId: z.string().nullable(),
  roles: z.array(z.string()),
  deviceLabel: z.string().nullable(),
  userAgent: z.string().nullable(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  deviceType: z.string().nullable(),
  ip: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: isoDate,
  startedAt: isoDate.describe("when the sign-in began: the absolute cap counts from here, across rotations"),
  lastSeenAt: isoDate,
  authenticatedAt: isoDate.nullable(),
  idleTimeoutSeconds: z.number().int(),
  idleExpiresAt: isoDate,
  absoluteExpiresAt: isoDate,
  revokedAt: isoDate.nullable(),
  revokedReason: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokeNote: z.string().nullable(),
  familyId: z.string(),
  rotatedFromId: z.string().nullable(),
  rotatedToId: z.string().nullable(),
  guestUserId: z.string().nullable(),
});

const userOutput = z.object({
  appId: z.string(),
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  consoleRole: z.string().nullable(),
  mustChangePassword: z.boolean(),
  disabledAt: isoDate.nullable(),
});

export const issuedSessionOutput = z.object({ token: z.string().describe("the session token; shown only in this response"), session: sessionOutput });
export const issuedServiceSessionOutput = issuedSessionOutput.extend({
  environment: z.string().describe("LATCHKEY_SESSION's value: the token, an @ and this Latchkey's URL; shown only in this response"),
});
export const resolveOutput = z.object({
  authenticated: z.boolean(),
  session: sessionOutput.nullable(),
  user: userOutput.nullable(),
  roles: z.array(z.string()),
  tenantId: z.string().nullable(),
  kind: z.enum(SESSION_KINDS).nullable(),
  reason: z.string().nullable().describe("why the token was refused: MALFORMED, UNKNOWN, SECRET_MISMATCH, IDLE_EXPIRED, ABSOLUTE_EXPIRED, REVOKED, REUSE_DETECTED, USER_DISABLED, APP_DISABLED"),
  code: z.string().nullable(),
  revokedReason: z.enum(REVOKE_REASONS).or(z.string()).nullable(),
  revokedAt: isoDate.nullable(),
  revokedBy: z.string().nullable(),
  revokeNote: z.string().nullable().describe("why, in words: a ticket, or \"ended when this user started a 6th session; the limit is 5\""),
});
export const refreshOutput = z.object({ session: sessionOutput, token: z.string().optional().describe("the new token, when rotate was true") });
export const sessionPageOutput = z.object({ items: z.array(sessionOutput), nextCursor: z.string().nullable() });
export const sessionListOutput = z.object({ items: z.array(sessionOutput) });
export const oneSessionOutput = z.object({ session: sessionOutput });
export const revokedOneOutput = z.object({ revoked: z.boolean().describe("false when the session had already ended") });
export const revokedCountOutput = z.object({ revoked: z.number().int() });
export const sweepOutput = z.object({
  dryRun: z.boolean(),
  oauthStates: z.number().int().describe("consumed or expired OAuth states deleted"),
  total: z.number().int(),
  idleExpired: z.number().int(),
  absoluteExpired: z.number().int(),
  revoked: z.number().int(),
  cutoff: isoDate,
});
const refusalOutput = z.object({
  id: z.number().int(),
  appId: z.string(),
  at: isoDate,
  reason: z.string().describe("MALFORMED, UNKNOWN, SECRET_MISMATCH, IDLE_EXPIRED, ABSOLUTE_EXPIRED, REVOKED, REUSE_DETECTED, USER_DISABLED or RATE_LIMITED"),
  operation: z.enum(["resolve", "validate", "refresh", "rotate", "upgrade", "exchange"]),
  source: z.string().describe('"console", or the name of the API key that presented the token'),
  sessionId: z.string().nullable(),
  userId: z.string().nullable(),
  revokedReason: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
const auditEventOutput = z.object({
  id: z.number().int(),
  appId: z.string(),
  at: isoDate,
  type: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  sessionId: z.string().nullable(),
  userId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
const policyOutput = z.object({
  idleTimeoutSeconds: z.number().int(),
  absoluteTimeoutSeconds: z.number().int(),
  touchIntervalSeconds: z.number().int(),
  rotationGraceSeconds: z.number().int(),
  allowGuests: z.boolean(),
  sessionLimit: z.number().int().nullable(),
  sessionLimitAction: z.enum(SESSION_LIMIT_ACTIONS),
});
export const applicationOutput = policyOutput.extend({
  id: z.string(),
  name: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  disabledAt: isoDate.nullable(),
});
export const applicationWithCountOutput = applicationOutput.extend({ liveSessions: z.number().int() });
export const applicationListOutput = z.object({
  items: z.array(applicationWithCountOutput),
  asOf: isoDate.describe("when the live-session counts were computed: at a large scale they are shared and refreshed each minute"),
  live: z.boolean().describe("true when the counts were computed for this call; false when they are the last shared computation, as of asOf"),
});
export const oneApplicationOutput = z.object({ application: applicationOutput });
export const createApplicationBody = z.object({ name: applicationNameSchema, policy: policyChangeSchema.optional() }).strict();
export const updateApplicationBody = z
  .object({ name: applicationNameSchema.optional(), disabled: z.boolean().optional(), policy: policyChangeSchema.optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.disabled !== undefined || body.policy !== undefined, "name what to change: name, disabled or policy");
export const policyPreviewBody = z.object({ policy: policyChangeSchema }).strict();
const impactOutput = z.object({
  ended: z.number().int().describe("live sessions the change ends at once"),
  endedByAbsolute: z.number().int(),
  endedByIdle: z.number().int(),
  usersOverLimit: z.number().int(),
  endedByLimit: z.number().int(),
});
export const policyPreviewOutput = z.object({ current: policyOutput, proposed: policyOutput, impact: impactOutput });
export const updatedApplicationOutput = z.object({
  application: applicationOutput,
  impact: impactOutput.nullable().describe("what the policy change ended, as counted when it was saved (null when the policy did not change)"),
  jobId: z.string().nullable().describe("the background job that rewrites existing sessions to the new policy"),
});
export const applicationIdParams = z.object({ id: z.string().min(1).max(64) }).strict();
export const revokeByFilterBody = revokeByFilterSchema;
export const revokeByFilterOutput = z.object({
  dryRun: z.boolean(),
  matched: z.number().int().describe("live sessions matching the filter"),
  revoked: z.number().int(),
});

export const diagnosisOutput = z.object({
  subject: z.enum(["token", "session", "user"]),
  verdict: z.enum(Object.values(Verdict) as [Verdict, ...Verdict[]]),
  summary: z.string().describe("the verdict in plain words, what went wrong first, with times in UTC to the second"),
  meaning: z.string().nullable().describe("what it means for the person, in one line (\"not disabled: a new sign-in works; the application still sends an ended token\")"),
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).describe("the facts the verdict rests on"),
  application: z.object({ id: z.string(), name: z.string() }).nullable().describe("the application of the session or user"),
  session: sessionOutput.nullable(),
  swept: z
    .object({ id: z.string(), appId: z.string(), userId: z.string(), kind: z.string(), status: z.string(), revokedReason: z.string().nullable(), endedAt: isoDate, createdAt: isoDate, sweptAt: isoDate })
    .nullable()
    .describe("what is left of a swept session"),
  user: userOutput.nullable(),
  sessions: z.array(sessionOutput).describe("a user's sessions, or a session's rotation family, newest first"),
  events: z.array(auditEventOutput).describe("audit events of the session or user, newest first"),
  refusals: z.array(refusalOutput).describe("recent refusals of the session or user, newest first"),
  candidates: z.array(userOutput).describe("users of that id or email in several applications (verdict SEVERAL_USERS)"),
});
export const accessTokenOutput = z.object({
  accessToken: z.string().describe("a JWT signed with EdDSA (Ed25519): sub (user), sid (session), aud (the application id), roles, tenant, kind, iss, iat, exp, jti"),
  tokenType: z.literal("Bearer"),
  expiresAt: isoDate,
});
export const jwksOutput = z.object({
  keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string(), alg: z.string(), use: z.literal("sig") }).passthrough()),
});
export const whoamiOutput = z.object({
  principal: z.object({
    type: z.enum(["api_key", "user"]),
    id: z.string(),
    name: z.string().describe("the key's name, or the account's email"),
    scopes: z.array(z.string()),
    role: z.string().nullable().describe("a console account's role (ADMIN: every scope; SUPPORT: sessions:read and sessions:write)"),
    application: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .describe("the application a key belongs to (and reaches); for a console account, the one its Latchkey-App header names, else null: every application"),
  }),
});
export const consoleSessionBody = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) }).strict();
export const consoleSessionOutput = z.object({
  token: z.string().describe("a session token of the account, to send as Authorization: Bearer; shown only here"),
  expiresAt: isoDate.describe("when the session ends at the latest (it also idles out)"),
  user: z.object({ id: z.string(), email: z.string(), role: z.string() }),
});
const countAt = z.object({ at: isoDate, count: z.number().int() });
const countOf = z.object({ value: z.string(), count: z.number().int() });
export const statisticsOutput = z.object({
  active: z.number().int(),
  expiredNotSwept: z.number().int(),
  revokedLast24h: z.number().int().describe("sessions revoked in the last 24 hours, rotations (replaced tokens) left out"),
  revokedSince: isoDate.describe("where that 24-hour window starts"),
  createdPerHour: z.array(countAt),
  createdPerDay: z.array(countAt),
  topBrowsers: z.array(countOf),
  topOperatingSystems: z.array(countOf),
  topDeviceTypes: z.array(countOf),
  asOf: isoDate.describe("when these figures were computed: at a large scale they are shared and refreshed each minute"),
  live: z.boolean().describe("true when computed for this call; false when they are the last shared computation, as of asOf"),
});
export const issuedStateOutput = z.object({ state: z.string(), expiresAt: isoDate });
export const consumedStateOutput = z.object({ data: z.record(z.string(), z.unknown()).nullable() });
export const healthOutput = z.object({ status: z.enum(["ok", "unavailable"]), database: z.enum(["ok", "unreachable"]) });
export const errorOutput = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string().optional().describe("server errors (5xx) only: the request's X-Request-Id, which its lines in the server's log carry"),
  }),
});

// Webhook endpoints of an application (ADMIN console accounts).
export { createEndpointSchema as createWebhookBody, updateEndpointSchema as updateWebhookBody, rotateSecretSchema as rotateWebhookSecretBody } from "../webhooks/endpoints";
export const webhookParams = z.object({ id: z.string().min(1).max(64), endpointId: z.string().min(1).max(64) }).strict();
export const webhookDeliveryParams = z.object({ id: z.string().min(1).max(64), deliveryId: z.coerce.number().int().positive() }).strict();
export const webhookDeliveriesQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.coerce.number().int().positive().optional().describe("deliveries older than this id (the next page)") })
  .strict();
export const webhookEndpointOutput = z.object({
  id: z.string(),
  appId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()).describe("the event types sent; empty for every type"),
  description: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  failingSince: isoDate.nullable().describe("since when every attempt has failed; three days of it disable the endpoint"),
  disabledAt: isoDate.nullable(),
  disabledReason: z.string().nullable(),
  previousSecretExpiresAt: isoDate.nullable().describe("until when the secret before the last rotation still signs beside the new one"),
});
export const oneWebhookOutput = z.object({ endpoint: webhookEndpointOutput });
export const webhookWithSecretOutput = z.object({ endpoint: webhookEndpointOutput, secret: z.string().describe("the signing secret (whsec_…): shown only here") });
export const webhookListOutput = z.object({ items: z.array(webhookEndpointOutput) });
export const webhookDeliveryOutput = z.object({
  id: z.number().int(),
  eventId: z.number().int().nullable().describe("the event's id (the audit event); null for a test event"),
  type: z.string(),
  status: z.enum(["PENDING", "DELIVERED", "FAILED"]),
  attempts: z.number().int(),
  createdAt: isoDate,
  deliveredAt: isoDate.nullable(),
  nextAttemptAt: isoDate.nullable(),
  payload: z.unknown(),
  attemptLog: z.array(z.object({ at: isoDate, status: z.number().int().nullable(), latencyMs: z.number().int(), error: z.string().nullable(), response: z.string().nullable() })),
});
export const webhookDeliveryListOutput = z.object({ items: z.array(webhookDeliveryOutput) });
export const oneWebhookDeliveryOutput = z.object({ delivery: webhookDeliveryOutput });
export const queuedOutput = z.object({ queued: z.literal(true) });

/** GET /api/v1/events: which events, and (besides the Last-Event-ID header) where to resume. */
export const eventStreamQuery = z
  .object({
    types: csv(z.string().regex(/^[a-z_.]+$/, "is not an event type")).optional().describe("only these event types, comma-separated"),
    after: z.coerce.number().int().min(0).optional().describe("resume after this event id (the Last-Event-ID header does the same)"),
  })
  .strict();
export const eventStreamOutput = z.string().describe("text/event-stream: `id` (the event id), `event` (its type) and `data` ({ type, timestamp, data }, as webhooks carry)");
