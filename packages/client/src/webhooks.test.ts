import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { verifyWebhook, WebhookVerificationError } from "./webhooks";

// verifyWebhook against deliveries signed by the Standard Webhooks reference library.

const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
const other = `whsec_${Buffer.from("fedcba9876543210fedcba9876543210").toString("base64")}`;
const body = JSON.stringify({ type: "session.revoked", timestamp: "2026-11-30T14:02:05.000Z", data: { sessionId: "s1", note: "ticket 4711" } });

function signed(at: Date, secrets = [secret], id = "msg_42") {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((each) => new Webhook(each).sign(id, at, body)).join(" "),
  };
}

describe("verifyWebhook", () => {
  it("accepts a delivery signed with the endpoint's secret, from a Headers object or a plain one", async () => {
    const headers = signed(new Date());
    expect(await verifyWebhook(secret, body, headers)).toMatchObject({ type: "session.revoked", data: { note: "ticket 4711" } });
    expect((await verifyWebhook(secret, body, new Headers(headers))).type).toBe("session.revoked");
  });

  it("refuses an altered body, another secret, a replayed old timestamp, a future one and missing headers", async () => {
    const headers = signed(new Date());
    await expect(verifyWebhook(secret, body.replace("4711", "4712"), headers)).rejects.toThrow(/No signature matches/);
    await expect(verifyWebhook(other, body, headers)).rejects.toBeInstanceOf(WebhookVerificationError);
    await expect(verifyWebhook(secret, body, signed(new Date(Date.now() - 10 * 60_000)))).rejects.toThrow(/too old/);
    await expect(verifyWebhook(secret, body, signed(new Date(Date.now() + 10 * 60_000)))).rejects.toThrow(/future/);
    await expect(verifyWebhook(secret, body, { "webhook-id": "msg_1" })).rejects.toThrow(/Missing/);
    // The id is signed too: the same signature under another id is refused.
    await expect(verifyWebhook(secret, body, { ...headers, "webhook-id": "msg_43" })).rejects.toThrow(/No signature matches/);
  });

  it("during a rotation, a receiver holding either secret accepts a delivery signed with both", async () => {
    const headers = signed(new Date(), [other, secret]);
    await expect(verifyWebhook(secret, body, headers)).resolves.toBeTruthy();
    await expect(verifyWebhook(other, body, headers)).resolves.toBeTruthy();
    await expect(verifyWebhook([other, secret], body, signed(new Date(), [secret]))).resolves.toBeTruthy();
  });
});
