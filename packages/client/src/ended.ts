import type { ResolveJson } from "./types";

/** Why a token no longer signs anyone in: what an application shows the person, and logs. */
export interface SessionEnded {
  /** MALFORMED, UNKNOWN, SECRET_MISMATCH, IDLE_EXPIRED, ABSOLUTE_EXPIRED, REVOKED, REUSE_DETECTED, USER_DISABLED, APP_DISABLED, or MISSING (no token sent). */
  reason: string;
  /**
   * For a revoked session: the revoke reason (LOGGED_OUT_EVERYWHERE, SIGNED_OUT, …), who
   * (`user:<email>`, `api_key:<name>`, `system:<what>`), when, and the note given. Meant for the
   * person whose session it was and for logs; `message` alone is safe to show anyone.
   */
  revokedReason: string | null;
  revokedBy: string | null;
  revokedAt: string | null;
  revokeNote: string | null;
  /** In words, for the person: "You were signed out by support@example.com at 2026-11-30 14:02:05 UTC: ticket 4711." */
  message: string;
}

function at(iso: string | null): string {
  if (!iso) return "";
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? "" : ` at ${time.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Who ended a session, in words: `user:jane@example.com` is jane@example.com, an API key the application, Latchkey itself no one. */
function byWhom(revokedBy: string | null): string {
  if (!revokedBy) return "";
  const [kind, ...rest] = revokedBy.split(":");
  const name = rest.join(":");
  if (kind === "user" && name) return ` by ${name}`;
  if (kind === "api_key") return " by the application";
  if (kind === "system") return "";
  return ` by ${revokedBy}`;
}

/** A revoked session in words, by why it was revoked; a note is shown only for a revocation by hand. */
function revokedMessage(revoked: Omit<SessionEnded, "reason" | "message">): string {
  const when = at(revoked.revokedAt);
  switch (revoked.revokedReason) {
    case "SIGNED_OUT":
      return `You were signed out${when}.`;
    case "PASSWORD_CHANGED":
      return `You were signed out${when} because the password was changed. Please sign in again.`;
    case "ROLE_CHANGED":
      return `You were signed out${when} because your permissions changed. Please sign in again.`;
    case "USER_DISABLED":
      return `Your account was disabled${when}.`;
    case "SESSION_LIMIT":
      return `You were signed out${when} because you signed in on more devices than allowed.`;
    case "REUSE_DETECTED":
      return "You were signed out because your session was used from somewhere else. Please sign in again.";
    default: {
      // REVOKED, LOGGED_OUT_EVERYWHERE: by a person or the application, with the reason they gave.
      const note = revoked.revokeNote ? `: ${revoked.revokeNote}` : "";
      return `You were signed out${byWhom(revoked.revokedBy)}${when}${note}.`;
    }
  }
}

/** Who ended a session, when and why, from resolve's answer; `reason` MISSING when no token came. */
export function sessionEnded(result: Pick<ResolveJson, "reason" | "revokedReason" | "revokedBy" | "revokedAt" | "revokeNote"> | null): SessionEnded {
  const reason = result?.reason ?? "MISSING";
  const revoked = {
    revokedReason: result?.revokedReason ?? null,
    revokedBy: result?.revokedBy ?? null,
    revokedAt: result?.revokedAt ?? null,
    revokeNote: result?.revokeNote ?? null,
  };
  let message: string;
  switch (reason) {
    case "MISSING":
      message = "Please sign in.";
      break;
    case "IDLE_EXPIRED":
      message = "You were signed out after a period of inactivity. Please sign in again.";
      break;
    case "ABSOLUTE_EXPIRED":
      message = "Your sign-in reached its time limit. Please sign in again.";
      break;
    case "REUSE_DETECTED":
      message = "You were signed out because your session was used from somewhere else. Please sign in again.";
      break;
    case "USER_DISABLED":
      message = "Your account is disabled.";
      break;
    case "APP_DISABLED":
      message = "Sign-in to this application is turned off.";
      break;
    case "REVOKED":
      message = revokedMessage(revoked);
      break;
    default:
      message = "Your session is not valid. Please sign in again.";
  }
  return { reason, ...revoked, message };
}
