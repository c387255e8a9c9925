import { describe, expect, it } from "vitest";
import { clearSessionCookie, readCookie, sessionCookie, sessionCookieName } from "./cookies";
import { sessionEnded } from "./ended";

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Secure and __Host- by default; unprefixed and not Secure only when asked", () => {
    expect(sessionCookie("lks_a.b", { expires: "2026-12-01T00:00:00Z" })).toBe(
      "__Host-latchkey_session=lks_a.b; Path=/; HttpOnly; SameSite=Lax; Secure; Expires=Tue, 01 Dec 2026 00:00:00 GMT",
    );
    expect(sessionCookie("lks_a.b", { secure: false, name: "sid" })).toBe("sid=lks_a.b; Path=/; HttpOnly; SameSite=Lax");
    expect(sessionCookieName()).toBe("__Host-latchkey_session");
    expect(clearSessionCookie()).toMatch(/^__Host-latchkey_session=; .*Expires=Thu, 01 Jan 1970 00:00:00 GMT$/);
  });

  it("is read back from a Cookie header among others, and a malformed one is no token", () => {
    expect(readCookie("a=1; __Host-latchkey_session=lks_x.y; b=2", "__Host-latchkey_session")).toBe("lks_x.y");
    expect(readCookie("latchkey_session_other=1", "latchkey_session")).toBeNull();
    expect(readCookie("latchkey_session=%E0%A4%A", "latchkey_session")).toBeNull();
    expect(readCookie(undefined, "latchkey_session")).toBeNull();
  });
});

describe("what to tell a person whose session ended", () => {
  const revoked = { reason: "REVOKED", revokedReason: "LOGGED_OUT_EVERYWHERE", revokedBy: "user:support@example.com", revokedAt: "2026-11-30T14:02:05.123Z", revokeNote: "ticket 4711" };

  it("names who ended it, when (UTC, to the second) and why", () => {
    expect(sessionEnded(revoked).message).toBe("You were signed out by support@example.com at 2026-11-30 14:02:05 UTC: ticket 4711.");
    expect(sessionEnded({ ...revoked, revokedReason: "SIGNED_OUT" }).message).toBe("You were signed out at 2026-11-30 14:02:05 UTC.");
    // Notes written by the system (reuse detection) are not shown: they are for support.
    expect(sessionEnded({ ...revoked, revokedReason: "REUSE_DETECTED", revokedBy: "system:reuse-detection", revokeNote: "rotated token of session x presented again" }).message).toBe(
      "You were signed out because your session was used from somewhere else. Please sign in again.",
    );
    expect(sessionEnded({ ...revoked, revokedReason: "SESSION_LIMIT", revokeNote: "ended when this user started a 6th session" }).message).toBe(
      "You were signed out at 2026-11-30 14:02:05 UTC because you signed in on more devices than allowed.",
    );
    expect(sessionEnded({ ...revoked, revokedBy: "api_key:shop-web", revokeNote: null }).message).toBe("You were signed out by the application at 2026-11-30 14:02:05 UTC.");
  });

  it("says what happened for every other reason, and asks for a sign-in when no token came", () => {
    const none = { revokedReason: null, revokedBy: null, revokedAt: null, revokeNote: null };
    expect(sessionEnded({ reason: "IDLE_EXPIRED", ...none }).message).toContain("inactivity");
    expect(sessionEnded({ reason: "REUSE_DETECTED", ...none }).message).toContain("used from somewhere else");
    expect(sessionEnded(null)).toMatchObject({ reason: "MISSING", message: "Please sign in." });
    expect(sessionEnded({ reason: "UNKNOWN", ...none }).message).toBe("Your session is not valid. Please sign in again.");
  });
});
