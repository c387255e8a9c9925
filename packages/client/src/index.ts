// @latchkey/client: the typed HTTP client, the access-token verifier and service sessions.
export * from "./client";
export * from "./service-session";
export * from "./types";
export * from "./verify";
