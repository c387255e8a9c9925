/** Kinds of session: a signed-in user, an anonymous guest, or an automation client. */
export const SESSION_KINDS = ["user", "guest", "service"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** Derived from the timestamps at a given instant, never stored. */
export const SESSION_STATUSES = ["active", "idle-expired", "absolute-expired", "revoked"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Why a session was ended before its time. */
export const REVOKE_REASONS = [
  "SIGNED_OUT",
  "REVOKED",
  "LOGGED_OUT_EVERYWHERE",
  "ROTATED",
  "REUSE_DETECTED",
  "USER_DISABLED",
  "PASSWORD_CHANGED",
  "ROLE_CHANGED",
  "SESSION_LIMIT",
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/**
 * The revoke note of a token replaced because its owner signed in again (a password entered again,
 * a new password): unlike a rotation's, such a token gets no grace window.
 */
export const REISSUED_NOTE = "signed in again";

/** Reasons that end a sign-in: every reason but ROTATED (a rotation replaces the token, the sign-in goes on). */
export const ENDING_REASONS = REVOKE_REASONS.filter((reason) => reason !== "ROTATED");

/** Reasons a person or an application may give when ending sessions by hand. */
export const MANUAL_REVOKE_REASONS = ["REVOKED", "SIGNED_OUT", "LOGGED_OUT_EVERYWHERE", "PASSWORD_CHANGED", "ROLE_CHANGED"] as const;

/** Who made a change: a person, an application's API key, or Latchkey itself. */
export interface Actor {
  type: "user" | "api_key" | "system";
  id?: string | null;
  /** A name for people to read: an email, a key's name, "sweep". */
  label?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: "system", label: "latchkey" };

/** A session row as stored. Leaves lib/ only as a SessionView. */
export interface SessionRecord {
  id: string;
  /** The application the session belongs to ("console" for console sign-ins). */
  appId: string;
  secretHash: string;
  userId: string;
  kind: string;
  tenantId: string | null;
  roles: string;
  deviceLabel: string | null;
  userAgent: string | null;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  ip: string | null;
  metadata: string;
  createdAt: Date;
  /** When the sign-in this session continues began; the absolute cap counts from here. */
  startedAt: Date;
  lastSeenAt: Date;
  authenticatedAt: Date | null;
  idleTimeoutSeconds: number;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  revokedBy: string | null;
  revokeNote: string | null;
  familyId: string;
  rotatedFromId: string | null;
  rotatedToId: string | null;
  guestUserId: string | null;
}

export interface UserRecord {
  appId: string;
  id: string;
  email: string | null;
  name: string | null;
  consoleRole: string | null;
  mustChangePassword: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
}

/** What the engine hands out about a session: no secret hash, status derived. */
export interface SessionView {
  id: string;
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
  createdAt: Date;
  startedAt: Date;
  lastSeenAt: Date;
  authenticatedAt: Date | null;
  idleTimeoutSeconds: number;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  revokedBy: string | null;
  revokeNote: string | null;
  familyId: string;
  rotatedFromId: string | null;
  rotatedToId: string | null;
  guestUserId: string | null;
}

export interface UserView {
  appId: string;
  id: string;
  email: string | null;
  name: string | null;
  consoleRole: string | null;
  mustChangePassword: boolean;
  disabledAt: Date | null;
}

export interface AuditEventInput {
  /** The application the change belongs to ("console" for the console's own). */
  appId: string;
  at: Date;
  type: string;
  actor: Actor;
  sessionId?: string | null;
  userId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEventView {
  id: number;
  appId: string;
  at: Date;
  type: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  sessionId: string | null;
  userId: string | null;
  details: Record<string, unknown>;
}

export const SESSION_SORT_FIELDS = ["createdAt", "lastSeenAt", "idleExpiresAt", "absoluteExpiresAt"] as const;
export type SessionSortField = (typeof SESSION_SORT_FIELDS)[number];

export interface SessionFilter {
  status?: SessionStatus[];
  sessionId?: string;
  /** A user id, or an email of a user. */
  user?: string;
  userId?: string;
  /** The sessions one sign-in became through rotations. */
  familyId?: string;
  kind?: SessionKind;
  tenantId?: string;
  /** An exact address, or a prefix ending in "." or ":" (e.g. "10.0."). */
  ip?: string;
  /** Text found in the device label, browser, OS or user agent. */
  device?: string;
  createdFrom?: Date;
  createdTo?: Date;
  lastSeenFrom?: Date;
  lastSeenTo?: Date;
  /** Ended by revocation within this range (a replaced token counts as revoked here unless `reason` leaves ROTATED out). */
  revokedFrom?: Date;
  revokedTo?: Date;
  /** Revoked for one of these reasons. */
  reason?: RevokeReason[];
}

export interface SessionPageRequest {
  filter: SessionFilter;
  sort: SessionSortField;
  order: "asc" | "desc";
  limit: number;
  /** Keyset position after which the page starts. */
  after?: { value: Date; id: string };
}

export interface SweepCounts {
  idleExpired: number;
  absoluteExpired: number;
  revoked: number;
}

/** Numbers for the overview page. */
export interface SessionStatistics {
  active: number;
  expiredNotSwept: number;
  /** Sessions revoked in the 24 hours before now, for a reason that ended the sign-in (rotations left out). */
  revokedLast24h: number;
  /** Where that 24-hour window starts. */
  revokedSince: Date;
  createdPerHour: { at: Date; count: number }[];
  createdPerDay: { at: Date; count: number }[];
  topBrowsers: { value: string; count: number }[];
  topOperatingSystems: { value: string; count: number }[];
  topDeviceTypes: { value: string; count: number }[];
}

/** The key of a user in maps: user ids are per application. */
export function userKey(appId: string, userId: string): string {
  return `${appId}\u0000${userId}`;
}
