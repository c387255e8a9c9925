/**
 * The JSON shapes of Latchkey's HTTP API, as plain types: what the client sends and receives.
 * Dates are ISO 8601 strings. (Latchkey's own tests check these against the server's schemas.)
 */

export type SessionKind = "user" | "guest" | "service";
export type SessionStatus = "active" | "idle-expired" | "absolute-expired" | "revoked";
export type RevokeReason =
  | "SIGNED_OUT"
  | "REVOKED"
  | "LOGGED_OUT_EVERYWHERE"
  | "ROTATED"
  | "REUSE_DETECTED"
  | "USER_DISABLED"
  | "PASSWORD_CHANGED"
  | "ROLE_CHANGED"
  | "SESSION_LIMIT";
/** Reasons a caller may give when ending sessions. */
export type ManualRevokeReason = "REVOKED" | "SIGNED_OUT" | "LOGGED_OUT_EVERYWHERE" | "PASSWORD_CHANGED" | "ROLE_CHANGED";
export type SessionLimitAction = "END_LEAST_RECENTLY_USED" | "END_OLDEST" | "REFUSE";
export type Verdict =
  | "NOT_A_TOKEN"
  | "UNKNOWN_SESSION"
  | "SWEPT"
  | "SECRET_MISMATCH"
  | "REVOKED"
  | "REUSE_DETECTED"
  | "REPLACED"
  | "IDLE_EXPIRED"
  | "ABSOLUTE_EXPIRED"
  | "USER_DISABLED"
  | "APP_DISABLED"
  | "ACTIVE"
  | "UNKNOWN_USER"
  | "SEVERAL_USERS"
  | "NO_SESSIONS"
  | "ALL_SESSIONS_ENDED";

export interface SessionJson {
  id: string;
  /** The application the session belongs to. */
  appId: string;
  userId: string;
  kind: SessionKind;
  status: SessionStatus;
  tenantId: string | null;
  roles: string[];
  deviceLabel: string | null;
  userAgent: string | null;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  /** When the sign-in began: the absolute cap counts from here, across rotations. */
  startedAt: string;
  lastSeenAt: string;
  authenticatedAt: string | null;
  idleTimeoutSeconds: number;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
  revokedBy: string | null;
  revokeNote: string | null;
  familyId: string;
  rotatedFromId: string | null;
  rotatedToId: string | null;
  guestUserId: string | null;
}

export interface UserJson {
  appId: string;
  id: string;
  email: string | null;
  name: string | null;
  consoleRole: string | null;
  mustChangePassword: boolean;
  disabledAt: string | null;
}

export interface IssuedSessionJson {
  /** The session token: shown only in this response. */
  token: string;
  session: SessionJson;
}

export interface IssuedServiceSessionJson extends IssuedSessionJson {
  /** LATCHKEY_SESSION's value: the token, an @ and this Latchkey's URL. */
  environment: string;
}

export interface ResolveJson {
  authenticated: boolean;
  session: SessionJson | null;
  user: UserJson | null;
  roles: string[];
  tenantId: string | null;
  kind: SessionKind | null;
  /** Why the token was refused: MALFORMED, UNKNOWN, SECRET_MISMATCH, IDLE_EXPIRED, ABSOLUTE_EXPIRED, REVOKED, REUSE_DETECTED, USER_DISABLED, APP_DISABLED. */
  reason: string | null;
  code: string | null;
  revokedReason: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  /** Why, in words: a ticket, or "ended when this user started a 6th session; the limit is 5". */
  revokeNote: string | null;
}

export interface RefreshJson {
  session: SessionJson;
  /** The new token, when rotate was true. */
  token?: string | undefined;
}

export interface SessionPageJson {
  items: SessionJson[];
  nextCursor: string | null;
}

export interface SweepJson {
  dryRun: boolean;
  oauthStates: number;
  total: number;
  idleExpired: number;
  absoluteExpired: number;
  revoked: number;
  cutoff: string;
}

export interface CreateSessionBody {
  userId: string;
  /** The person's email and name as your app knows them: kept on Latchkey's user, so support finds them by email. */
  email?: string | null | undefined;
  name?: string | null | undefined;
  kind?: "user" | undefined;
  deviceLabel?: string | null | undefined;
  userAgent?: string | null | undefined;
  ip?: string | null | undefined;
  tenantId?: string | null | undefined;
  roles?: string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
  idleTimeoutSeconds?: number | undefined;
  absoluteTimeoutSeconds?: number | undefined;
}

export type CreateGuestBody = Omit<CreateSessionBody, "userId" | "kind" | "email" | "name">;

export interface CreateServiceBody {
  client: string;
  scopes: string[];
  ttlSeconds?: number | undefined;
  delegatedBy?: string | null | undefined;
  tenantId?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export interface RevokeBody {
  reason?: ManualRevokeReason | undefined;
  note?: string | null | undefined;
}

export interface RevokeUserBody extends RevokeBody {
  /** Keep this session: the device asking to "sign out all others". */
  exceptSessionId?: string | undefined;
}

export interface DiagnoseBody {
  token?: string | undefined;
  sessionId?: string | undefined;
  user?: string | undefined;
}

export interface RefusalJson {
  id: number;
  appId: string;
  at: string;
  reason: string;
  operation: "resolve" | "validate" | "refresh" | "rotate" | "upgrade" | "exchange";
  source: string;
  sessionId: string | null;
  userId: string | null;
  revokedReason: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEventJson {
  id: number;
  appId: string;
  at: string;
  type: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  sessionId: string | null;
  userId: string | null;
  details: Record<string, unknown>;
}

export interface DiagnosisJson {
  subject: "token" | "session" | "user";
  verdict: Verdict;
  /** The verdict in plain words, what went wrong first, with times in UTC to the second. */
  summary: string;
  /** What it means for the person, in one line. */
  meaning: string | null;
  evidence: Record<string, string | number | null>;
  application: { id: string; name: string } | null;
  session: SessionJson | null;
  swept: {
    id: string;
    appId: string;
    userId: string;
    kind: string;
    status: string;
    revokedReason: string | null;
    endedAt: string;
    createdAt: string;
    sweptAt: string;
  } | null;
  user: UserJson | null;
  sessions: SessionJson[];
  events: AuditEventJson[];
  refusals: RefusalJson[];
  candidates: UserJson[];
}

export interface AccessTokenJson {
  /** A JWT signed with EdDSA (Ed25519): sub, sid, aud (the application id), roles, tenant, kind, iss, iat, exp, jti. */
  accessToken: string;
  tokenType: "Bearer";
  expiresAt: string;
}

export interface WhoamiJson {
  principal: {
    type: "api_key" | "user";
    id: string;
    name: string;
    scopes: string[];
    role: string | null;
    application: { id: string; name: string } | null;
  };
}

export interface CountAtJson {
  at: string;
  count: number;
}

export interface CountOfJson {
  value: string;
  count: number;
}

export interface StatisticsJson {
  active: number;
  expiredNotSwept: number;
  revokedLast24h: number;
  revokedSince: string;
  createdPerHour: CountAtJson[];
  createdPerDay: CountAtJson[];
  topBrowsers: CountOfJson[];
  topOperatingSystems: CountOfJson[];
  topDeviceTypes: CountOfJson[];
  /** When these figures were computed: at a large scale they are shared and refreshed each minute. */
  asOf: string;
  /** True when computed for this call; false when they are the last shared computation, as of asOf. */
  live: boolean;
}

export interface PolicyJson {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  touchIntervalSeconds: number;
  rotationGraceSeconds: number;
  allowGuests: boolean;
  sessionLimit: number | null;
  sessionLimitAction: SessionLimitAction;
}

export interface ApplicationJson extends PolicyJson {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

export interface ApplicationWithCountJson extends ApplicationJson {
  liveSessions: number;
}

export interface ApplicationListJson {
  items: ApplicationWithCountJson[];
  /** When the live-session counts were computed: at a large scale they are shared and refreshed each minute. */
  asOf: string;
  /** True when the counts were computed for this call; false when they are the last shared computation, as of `asOf`. */
  live: boolean;
}

/** A change to an application's session policy: any of its fields. */
export interface PolicyChange {
  idleTimeoutSeconds?: number | undefined;
  absoluteTimeoutSeconds?: number | undefined;
  touchIntervalSeconds?: number | undefined;
  rotationGraceSeconds?: number | undefined;
  allowGuests?: boolean | undefined;
  sessionLimit?: number | null | undefined;
  sessionLimitAction?: SessionLimitAction | undefined;
}

export interface CreateApplicationBody {
  name: string;
  policy?: PolicyChange | undefined;
}

export interface UpdateApplicationBody {
  name?: string | undefined;
  disabled?: boolean | undefined;
  policy?: PolicyChange | undefined;
}

export interface PolicyImpactJson {
  /** Live sessions the change ends at once. */
  ended: number;
  endedByAbsolute: number;
  endedByIdle: number;
  usersOverLimit: number;
  endedByLimit: number;
}

export interface PolicyPreviewJson {
  current: PolicyJson;
  proposed: PolicyJson;
  impact: PolicyImpactJson;
}

export interface UpdatedApplicationJson {
  application: ApplicationJson;
  impact: PolicyImpactJson | null;
  jobId: string | null;
}

/** The sessions a revocation by filter matches (dates as ISO strings or "2026-11-30 14:00", UTC). */
export interface SessionFilterJson {
  sessionId?: string | undefined;
  user?: string | undefined;
  userId?: string | undefined;
  kind?: SessionKind | undefined;
  tenantId?: string | undefined;
  ip?: string | undefined;
  device?: string | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  lastSeenFrom?: string | undefined;
  lastSeenTo?: string | undefined;
}

export interface RevokeByFilterBody {
  filter: SessionFilterJson;
  dryRun?: boolean | undefined;
  reason?: ManualRevokeReason | undefined;
  note?: string | null | undefined;
}

export interface RevokeByFilterJson {
  dryRun: boolean;
  /** Live sessions matching the filter. */
  matched: number;
  revoked: number;
}

export type ListSessionsQuery = Partial<
  Record<
    | "status"
    | "user"
    | "userId"
    | "kind"
    | "tenantId"
    | "ip"
    | "device"
    | "createdFrom"
    | "createdTo"
    | "lastSeenFrom"
    | "lastSeenTo"
    | "revokedFrom"
    | "revokedTo"
    | "reason"
    | "sort"
    | "order"
    | "cursor",
    string
  >
> & { limit?: number };

/** The events a webhook endpoint can take. */
export type WebhookEventType =
  | "session.created"
  | "session.rotated"
  | "session.revoked"
  | "session.evicted"
  | "session.reuse_detected"
  | "user.logged_out_everywhere"
  | "user.disabled"
  | "session.upgraded"
  | "session.tenant_changed"
  | "sweep.completed";

export interface WebhookEndpointJson {
  id: string;
  appId: string;
  url: string;
  /** The event types sent; empty for every type. */
  eventTypes: string[];
  description: string | null;
  createdAt: string;
  updatedAt: string;
  /** Since when every attempt has failed; three days of it disable the endpoint. */
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  /** Until when the secret before the last rotation still signs beside the new one. */
  previousSecretExpiresAt: string | null;
}

export interface WebhookDeliveryJson {
  id: number;
  /** The event's id; null for a test event. */
  eventId: number | null;
  type: string;
  status: "PENDING" | "DELIVERED" | "FAILED";
  attempts: number;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  payload: unknown;
  attemptLog: { at: string; status: number | null; latencyMs: number; error: string | null; response: string | null }[];
}

export interface CreateWebhookBody {
  url: string;
  eventTypes?: WebhookEventType[] | undefined;
  description?: string | null | undefined;
}

export interface UpdateWebhookBody {
  url?: string | undefined;
  eventTypes?: WebhookEventType[] | undefined;
  description?: string | null | undefined;
  disabled?: boolean | undefined;
}
