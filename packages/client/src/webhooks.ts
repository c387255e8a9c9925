// Receiving Latchkey's webhooks: checks a delivery's Standard Webhooks signature (HMAC-SHA256
// over "id.timestamp.body") and timestamp with Web Crypto, so it runs in Node.js and at the edge.

/** A webhook event as Latchkey sends it. */
export interface LatchkeyWebhookEvent {
  /** session.created, session.rotated, session.revoked, session.evicted, session.reuse_detected, user.logged_out_everywhere, user.disabled, session.upgraded, session.tenant_changed, sweep.completed, or webhook.test. */
  type: string;
  timestamp: string;
  data: {
    eventId?: number;
    appId?: string | null;
    sessionId?: string | null;
    userId?: string | null;
    actor?: { type: string; label: string | null };
    reason?: string | null;
    note?: string | null;
    count?: number | null;
    [field: string]: unknown;
  };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

export interface VerifyWebhookOptions {
  /** How far the delivery's timestamp may be from now (default 300 s): an older one is a replay. */
  toleranceSeconds?: number;
  now?: Date;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const value = (headers as Record<string, string | string[] | undefined>)[name] ?? (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Checks a webhook delivery from Latchkey and returns its event. `secret` is the endpoint's
 * signing secret (`whsec_…`), or several during a rotation; `body` the raw request body, as
 * received (not re-serialised). Throws WebhookVerificationError when a header is missing, the
 * timestamp is outside the tolerance, or no signature matches.
 */
export async function verifyWebhook(secret: string | string[], body: string, headers: HeaderSource, options: VerifyWebhookOptions = {}): Promise<LatchkeyWebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header.");
  const seconds = Number(timestamp);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (!Number.isInteger(seconds)) throw new WebhookVerificationError("The webhook-timestamp header is not a Unix time in seconds.");
  if (now - seconds > tolerance) throw new WebhookVerificationError("The delivery is too old: a replay, or a clock far off.");
  if (seconds - now > tolerance) throw new WebhookVerificationError("The delivery's timestamp is in the future.");
  const offered = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, value]) => version === "v1" && value)
    .map(([, value]) => value!);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  for (const each of Array.isArray(secret) ? secret : [secret]) {
    let keyBytes: Uint8Array;
    try {
      keyBytes = base64ToBytes(each.startsWith("whsec_") ? each.slice("whsec_".length) : each);
    } catch {
      throw new WebhookVerificationError("The secret is not a whsec_ secret.");
    }
    const key = await crypto.subtle.importKey("raw", keyBytes as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const expected = bytesToBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, signed as BufferSource)));
    if (offered.some((value) => sameText(value, expected))) {
      try {
        return JSON.parse(body) as LatchkeyWebhookEvent;
      } catch {
        throw new WebhookVerificationError("The body is not JSON.");
      }
    }
  }
  throw new WebhookVerificationError("No signature matches: the body was altered, or the secret is not this endpoint's.");
}
