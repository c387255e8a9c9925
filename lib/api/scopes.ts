/** What an API key may do. */
export const API_SCOPES = ["sessions:read", "sessions:write", "sessions:admin", "oauth-states", "service-sessions"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<ApiScope, string> = {
  "sessions:read": "resolve tokens, list and read sessions",
  "sessions:write": "create, refresh, rotate, upgrade, relabel and revoke sessions",
  "sessions:admin": "sweep dead sessions",
  "oauth-states": "issue and consume OAuth state tokens",
  "service-sessions": "start short-lived service sessions for automation clients",
};

/**
 * What a caller may do: the scopes of API keys, and "applications" (create, rename, disable
 * applications and change their policies), which only ADMIN console accounts hold.
 */
export type CallerScope = ApiScope | "applications";
