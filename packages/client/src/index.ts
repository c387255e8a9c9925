// @latchkey/client: the typed HTTP client, the access-token verifier, service sessions, the
// session cookie, what to tell a person whose session ended, and webhook verification. Middleware: @latchkey/client/express.
export * from "./client";
export * from "./cookies";
export * from "./ended";
export * from "./service-session";
export * from "./tokens";
export * from "./types";
export * from "./verify";
export * from "./webhooks";
