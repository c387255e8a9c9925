import type {
  AccessTokenJson,
  ApplicationJson,
  ApplicationListJson,
  CreateApplicationBody,
  CreateGuestBody,
  CreateServiceBody,
  CreateSessionBody,
  DiagnoseBody,
  DiagnosisJson,
  IssuedServiceSessionJson,
  IssuedSessionJson,
  ListSessionsQuery,
  PolicyChange,
  PolicyPreviewJson,
  RefreshJson,
  ResolveJson,
  RevokeBody,
  RevokeUserBody,
  RevokeByFilterBody,
  RevokeByFilterJson,
  SessionJson,
  SessionPageJson,
  StatisticsJson,
  SweepJson,
  UpdateApplicationBody,
  UpdatedApplicationJson,
  CreateWebhookBody,
  UpdateWebhookBody,
  WebhookDeliveryJson,
  WebhookEndpointJson,
  WhoamiJson,
} from "./types";

/** A small typed client for Latchkey's HTTP API, over fetch. Usable from any JavaScript runtime. */

/** The end user's address and browser, recorded with the token if it is refused. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

const API_ERROR = Symbol.for("latchkey.client.apiError");

/** An answer other than 2xx: the status and the API's error code, message and details. */
export class LatchkeyApiError extends Error {
  readonly [API_ERROR] = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "LatchkeyApiError";
  }
}

/**
 * Whether `error` is a LatchkeyApiError, whichever copy of the package made it (an ES module and
 * a CommonJS build in one process each have their own class, which `instanceof` tells apart).
 */
export function isLatchkeyApiError(error: unknown): error is LatchkeyApiError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[API_ERROR] === true;
}

export interface LatchkeyClientOptions {
  /** Where Latchkey runs, e.g. https://latchkey.example.com */
  baseUrl: string;
  /** An API key, lka_… (or a console account's session token from createConsoleSession) */
  apiKey: string;
  /**
   * For a console account: the application (name or id) every call works in, sent as the
   * Latchkey-App header; without it, reads reach every application. An API key always works in
   * its own application.
   */
  app?: string;
  fetch?: typeof fetch;
  /** How long a call may take before it fails (a hanging Latchkey must not hold requests); default 5,000 ms. */
  timeoutMs?: number;
}

export function createLatchkeyClient({ baseUrl, apiKey, app, fetch: fetchImpl = fetch, timeoutMs = 5_000 }: LatchkeyClientOptions) {
  async function call<T>(method: string, path: string, options: { body?: unknown; query?: Record<string, string | number | undefined> } = {}): Promise<T> {
    const url = new URL(path, baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const response = await fetchImpl(url, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(app ? { "latchkey-app": app } : {}),
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let payload: unknown = null;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      throw new LatchkeyApiError(response.status, "INVALID_RESPONSE", `Latchkey answered ${response.status} with a body that is not JSON.`);
    }
    if (!response.ok) {
      const error = (payload as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
      throw new LatchkeyApiError(response.status, error?.code ?? "UNKNOWN", error?.message ?? `HTTP ${response.status}`, error?.details);
    }
    return payload as T;
  }

  const id = (value: string) => encodeURIComponent(value);

  return {
    createSession: (body: CreateSessionBody) => call<IssuedSessionJson>("POST", "/api/v1/sessions", { body }),
    /** A service session; `environment` is the value for LATCHKEY_SESSION (see readServiceSession). */
    createServiceSession: (body: CreateServiceBody) => call<IssuedServiceSessionJson>("POST", "/api/v1/sessions/service", { body }),
    createGuestSession: (body: CreateGuestBody = {}) => call<IssuedSessionJson>("POST", "/api/v1/sessions/guest", { body }),
    resolveSession: (token: string, client: ClientInfo = {}) => call<ResolveJson>("POST", "/api/v1/sessions/resolve", { body: { token, ...client } }),
    refreshSession: (token: string, options: { rotate?: boolean } & ClientInfo = {}) =>
      call<RefreshJson>("POST", "/api/v1/sessions/refresh", { body: { ...options, token, rotate: options.rotate ?? false } }),
    /** A short-lived signed access token for a live session (see createAccessTokenVerifier for checking it). */
    exchangeSession: (token: string, client: ClientInfo = {}) => call<AccessTokenJson>("POST", "/api/v1/sessions/token", { body: { token, ...client } }),
    upgradeGuestSession: (token: string, userId: string, client: ClientInfo = {}) =>
      call<IssuedSessionJson>("POST", "/api/v1/sessions/upgrade", { body: { token, userId, ...client } }),
    listSessions: (query: ListSessionsQuery = {}) => call<SessionPageJson>("GET", "/api/v1/sessions", { query }),
    getSession: (sessionId: string) => call<{ session: SessionJson }>("GET", `/api/v1/sessions/${id(sessionId)}`),
    updateSession: (sessionId: string, body: { deviceLabel?: string | null; tenantId?: string | null }) =>
      call<{ session: SessionJson }>("PATCH", `/api/v1/sessions/${id(sessionId)}`, { body }),
    revokeSession: (sessionId: string, body: RevokeBody = {}) => call<{ revoked: boolean }>("DELETE", `/api/v1/sessions/${id(sessionId)}`, { body }),
    /** Every live session matching a filter, revoked with a reason (dryRun: counted only). */
    revokeMatchingSessions: (body: RevokeByFilterBody) => call<RevokeByFilterJson>("POST", "/api/v1/sessions/revoke", { body }),
    listUserSessions: (userId: string) => call<{ items: SessionJson[] }>("GET", `/api/v1/users/${id(userId)}/sessions`),
    revokeUserSessions: (userId: string, body: RevokeUserBody = {}) => call<{ revoked: number }>("DELETE", `/api/v1/users/${id(userId)}/sessions`, { body }),
    sweep: (body: { dryRun?: boolean; retentionSeconds?: number; batchSize?: number; limit?: number } = {}) => call<SweepJson>("POST", "/api/v1/sweep", { body }),
    whoami: () => call<WhoamiJson>("GET", "/api/v1/me"),
    /** Signs a console account in (no API key needed): a session token to use as the credential. */
    createConsoleSession: (body: { email: string; password: string }) =>
      call<{ token: string; expiresAt: string; user: { id: string; email: string; role: string } }>("POST", "/api/v1/console-sessions", { body }),
    statistics: () => call<StatisticsJson>("GET", "/api/v1/stats"),
    issueOAuthState: (body: { ttlSeconds?: number; data?: Record<string, unknown> } = {}) =>
      call<{ state: string; expiresAt: string }>("POST", "/api/v1/oauth-states", { body }),
    consumeOAuthState: (state: string) => call<{ data: Record<string, unknown> | null }>("POST", "/api/v1/oauth-states/consume", { body: { state } }),
    diagnose: (body: DiagnoseBody) => call<DiagnosisJson>("POST", "/api/v1/diagnose", { body }),
    health: () => call<{ status: string; database: string }>("GET", "/api/health"),
    /** Applications (ADMIN console accounts only). */
    listApplications: () => call<ApplicationListJson>("GET", "/api/v1/apps"),
    createApplication: (body: CreateApplicationBody) => call<{ application: ApplicationJson }>("POST", "/api/v1/apps", { body }),
    getApplication: (app: string) => call<{ application: ApplicationJson }>("GET", `/api/v1/apps/${id(app)}`),
    updateApplication: (app: string, body: UpdateApplicationBody) => call<UpdatedApplicationJson>("PATCH", `/api/v1/apps/${id(app)}`, { body }),
    previewApplicationPolicy: (app: string, policy: PolicyChange) => call<PolicyPreviewJson>("POST", `/api/v1/apps/${id(app)}/policy-preview`, { body: { policy } }),
    /** Webhook endpoints of an application (ADMIN console accounts only). */
    listWebhooks: (app: string) => call<{ items: WebhookEndpointJson[] }>("GET", `/api/v1/apps/${id(app)}/webhooks`),
    createWebhook: (app: string, body: CreateWebhookBody) => call<{ endpoint: WebhookEndpointJson; secret: string }>("POST", `/api/v1/apps/${id(app)}/webhooks`, { body }),
    getWebhook: (app: string, endpointId: string) => call<{ endpoint: WebhookEndpointJson }>("GET", `/api/v1/apps/${id(app)}/webhooks/${id(endpointId)}`),
    updateWebhook: (app: string, endpointId: string, body: UpdateWebhookBody) =>
      call<{ endpoint: WebhookEndpointJson }>("PATCH", `/api/v1/apps/${id(app)}/webhooks/${id(endpointId)}`, { body }),
    deleteWebhook: (app: string, endpointId: string) => call<{ deleted: true }>("DELETE", `/api/v1/apps/${id(app)}/webhooks/${id(endpointId)}`),
    rotateWebhookSecret: (app: string, endpointId: string, body: { overlapSeconds?: number } = {}) =>
      call<{ endpoint: WebhookEndpointJson; secret: string }>("POST", `/api/v1/apps/${id(app)}/webhooks/${id(endpointId)}/rotate-secret`, { body }),
    testWebhook: (app: string, endpointId: string) => call<{ delivery: WebhookDeliveryJson }>("POST", `/api/v1/apps/${id(app)}/webhooks/${id(endpointId)}/test`),
    listWebhookDeliveries: (app: string, endpointId: string, query: { limit?: number; before?: number } = {}) =>
      call<{ items: WebhookDeliveryJson[] }>("GET", `/api/v1/apps/${id(app)}/webhooks/${id(endpointId)}/deliveries`, { query }),
    resendWebhookDelivery: (app: string, deliveryId: number) => call<{ queued: true }>("POST", `/api/v1/apps/${id(app)}/webhook-deliveries/${deliveryId}/resend`),
  };
}

export type LatchkeyClient = ReturnType<typeof createLatchkeyClient>;
