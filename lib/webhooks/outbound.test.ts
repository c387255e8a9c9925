import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaders } from "./dispatcher";
import { newWebhookSecret } from "./endpoints";
import { addressAllowed, checkWebhookUrl, parseAllowList, postWebhook, WebhookUrlError, type OutboundPolicy, type Resolver } from "./outbound";

// No test here sends anything off this machine: names resolve through an injected resolver to
// loopback or to addresses that must be refused before any socket opens, and the one receiver
// listens on 127.0.0.1.

const NAMES: Record<string, string[]> = {
  "hooks.test": ["127.0.0.1"],
  "metadata.example": ["169.254.169.254"],
  "intranet.example": ["10.1.2.3"],
  "mixed.example": ["93.184.215.14", "192.168.1.10"],
  "public.example": ["93.184.215.14"],
  "v6-loopback.example": ["::1"],
  "mapped.example": ["::ffff:127.0.0.1"],
};
const resolver: Resolver = async (host) => {
  const found = NAMES[host];
  if (!found) throw new Error(`ENOTFOUND ${host}`);
  return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

let server: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  server = createServer((request, response) => {
    hits += 1;
    request.resume();
    request.on("end", () => response.end("x".repeat(200_000)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
});

const strict: OutboundPolicy = { allow: [], resolver, timeoutMs: 2_000, maxResponseBytes: 65_536 };
const loopbackAllowed: OutboundPolicy = { ...strict, allow: parseAllowList("127.0.0.1/32") };

describe("where webhooks may go", () => {
  it("public unicast addresses only, unless the allow-list names a range", () => {
    for (const address of ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1", "255.255.255.255", "198.18.0.1", "64:ff9b:1::a00:1", "fec0::1", "::127.0.0.1", "2001:db8::1"]) {
      expect(addressAllowed(address, []), address).toBe(false);
    }
    for (const address of ["93.184.215.14", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"]) expect(addressAllowed(address, []), address).toBe(true);
    expect(addressAllowed("127.0.0.1", parseAllowList("127.0.0.1/32"))).toBe(true);
    expect(addressAllowed("127.0.0.2", parseAllowList("127.0.0.1/32"))).toBe(false);
    expect(addressAllowed("10.9.8.7", parseAllowList("10.0.0.0/8, ::1"))).toBe(true);
    expect(() => parseAllowList("10.0.0.0/8, intranet")).toThrow(/LATCHKEY_WEBHOOK_ALLOW: "intranet" is not an address/);
  });

  it("a URL to a loopback, link-local or private address, or to a name resolving to one, is refused at creation; a public one is taken", async () => {
    for (const url of [
      "http://127.0.0.1/hooks",
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.5/hooks",
      "http://[::1]:8080/hooks",
      "https://metadata.example/hooks",
      "https://intranet.example/hooks",
      "https://mixed.example/hooks",
      "https://v6-loopback.example/hooks",
      "https://mapped.example/hooks",
    ]) {
      await expect(checkWebhookUrl(url, strict), url).rejects.toThrow(/private, loopback, link-local or reserved/);
    }
    await expect(checkWebhookUrl("ftp://public.example/x", strict)).rejects.toThrow(/https/);
    await expect(checkWebhookUrl("https://user:pass@public.example/x", strict)).rejects.toThrow(/user name or password/);
    await expect(checkWebhookUrl("not a url", strict)).rejects.toBeInstanceOf(WebhookUrlError);
    await expect(checkWebhookUrl("https://nowhere.example/x", strict)).rejects.toThrow(/does not resolve/);
    expect((await checkWebhookUrl("https://public.example/hooks", strict)).toString()).toBe("https://public.example/hooks");
    expect((await checkWebhookUrl("http://hooks.test/x", loopbackAllowed)).hostname).toBe("hooks.test");
  });

  it("at delivery the addresses are checked as the socket connects: a name now resolving to loopback is refused before any request is sent", async () => {
    const before = hits;
    for (const host of ["hooks.test", "mapped.example", "127.0.0.1"]) {
      const result = await postWebhook(new URL(`http://${host}:${port}/hooks`), "{}", {}, strict);
      expect(result, host).toMatchObject({ status: null, error: expect.stringMatching(/private, loopback, link-local or reserved/) });
    }
    expect(hits).toBe(before);
    // Allowed by the allow-list, the same receiver answers; a long answer is cut at the cap.
    const allowed = await postWebhook(new URL(`http://hooks.test:${port}/hooks`), "{}", {}, loopbackAllowed);
    expect(allowed).toMatchObject({ status: 200, error: null });
    expect(allowed.response).toHaveLength(1000);
    expect(hits).toBe(before + 1);
  });

  it("a receiver that does not answer in time is an error, not a wait", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const result = await postWebhook(new URL(`http://hooks.test:${(silent.address() as AddressInfo).port}/`), "{}", {}, { ...loopbackAllowed, timeoutMs: 300 });
    expect(result).toMatchObject({ status: null, error: "no answer within 300 ms" });
    expect(result.latencyMs).toBeLessThan(2_000);
    silent.close();
  });
});

describe("signatures", () => {
  const payload = JSON.stringify({ type: "session.revoked", timestamp: new Date().toISOString(), data: { sessionId: "s1" } });

  it("verify with the Standard Webhooks library; a replayed old timestamp and an altered body are refused", () => {
    const secret = newWebhookSecret();
    const receiver = new Webhook(secret);
    const headers = signedHeaders("msg_1", new Date(), payload, [secret]);
    expect(receiver.verify(payload, headers)).toMatchObject({ type: "session.revoked" });
    expect(() => receiver.verify(payload.replace("s1", "s2"), headers)).toThrow();
    const old = signedHeaders("msg_1", new Date(Date.now() - 10 * 60_000), payload, [secret]);
    expect(() => receiver.verify(payload, old)).toThrow(/too old/i);
    expect(() => new Webhook(newWebhookSecret()).verify(payload, headers)).toThrow();
  });

  it("during a rotation's overlap a delivery carries both signatures: receivers with the old secret or the new one accept it", () => {
    const [previous, current] = [newWebhookSecret(), newWebhookSecret()];
    const headers = signedHeaders("msg_2", new Date(), payload, [current, previous]);
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(() => new Webhook(previous).verify(payload, headers)).not.toThrow();
    expect(() => new Webhook(current).verify(payload, headers)).not.toThrow();
  });
});
