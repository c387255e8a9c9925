import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER, clientOf, limitKeyOf, parseTrustedProxies, stampClient } from "./client-address";

function request(socketAddress: string, headers: Record<string, string> = {}, encrypted = false): IncomingMessage {
  const socket = { remoteAddress: socketAddress, encrypted };
  return { socket, connection: socket, headers: { ...headers } } as unknown as IncomingMessage;
}

describe("the client's address", () => {
  it("with no trusted proxy, X-Forwarded-For and X-Forwarded-Proto are ignored: the socket is the client", () => {
    const trust = parseTrustedProxies(undefined);
    const client = clientOf(request("203.0.113.7", { "x-forwarded-for": "198.51.100.1", "x-forwarded-proto": "https" }), trust);
    expect(client).toEqual({ ip: "203.0.113.7", https: false });
    expect(clientOf(request("203.0.113.7", { "x-forwarded-for": "198.51.100.1" }), parseTrustedProxies(""))).toMatchObject({ ip: "203.0.113.7" });
  });

  it("a hop count believes that many proxies, from the socket outwards", () => {
    const headers = { "x-forwarded-for": "198.51.100.1, 192.0.2.50, 10.0.0.2" };
    expect(clientOf(request("10.0.0.1", headers), parseTrustedProxies("1")).ip).toBe("10.0.0.2");
    expect(clientOf(request("10.0.0.1", headers), parseTrustedProxies("2")).ip).toBe("192.0.2.50");
  });

  it("a list believes only the proxies it names; an address the client prepended is never taken", () => {
    const trust = parseTrustedProxies("10.0.0.0/8, 127.0.0.1");
    // The client sent "1.2.3.4"; the proxy at 10.0.0.1 appended the address it saw.
    expect(clientOf(request("10.0.0.1", { "x-forwarded-for": "1.2.3.4, 203.0.113.9" }), trust).ip).toBe("203.0.113.9");
    // Straight from an untrusted address: its header counts for nothing.
    expect(clientOf(request("203.0.113.9", { "x-forwarded-for": "1.2.3.4" }), trust).ip).toBe("203.0.113.9");
    expect(clientOf(request("::ffff:127.0.0.1", { "x-forwarded-for": "198.51.100.4" }), parseTrustedProxies("loopback")).ip).toBe("198.51.100.4");
  });

  it("X-Forwarded-Proto is believed only from a trusted proxy; a TLS socket is https on its own", () => {
    const trust = parseTrustedProxies("loopback");
    expect(clientOf(request("127.0.0.1", { "x-forwarded-proto": "https" }), trust).https).toBe(true);
    expect(clientOf(request("127.0.0.1", { "x-forwarded-proto": "http" }), trust).https).toBe(false);
    expect(clientOf(request("203.0.113.9", { "x-forwarded-proto": "https" }), trust).https).toBe(false);
    expect(clientOf(request("203.0.113.9", {}, true), trust).https).toBe(true);
  });

  it("an IPv4 address seen through an IPv6 socket is spelled plainly", () => {
    expect(clientOf(request("::ffff:198.51.100.3"), parseTrustedProxies(undefined)).ip).toBe("198.51.100.3");
  });

  it("the server replaces client headers the client sent with what it found", () => {
    const incoming = request("203.0.113.7", { [CLIENT_IP_HEADER]: "1.1.1.1", [CLIENT_PROTO_HEADER]: "https", "x-forwarded-for": "9.9.9.9" });
    stampClient(incoming, parseTrustedProxies(undefined));
    expect(incoming.headers[CLIENT_IP_HEADER]).toBe("203.0.113.7");
    expect(incoming.headers[CLIENT_PROTO_HEADER]).toBe("http");
    // Forwarding headers from an untrusted peer reach nothing downstream…
    expect(incoming.headers["x-forwarded-for"]).toBeUndefined();
    // …and from a trusted proxy they stay.
    const proxied = request("127.0.0.1", { "x-forwarded-for": "198.51.100.5", "x-forwarded-host": "latchkey.example.com" });
    stampClient(proxied, parseTrustedProxies("loopback"));
    expect(proxied.headers).toMatchObject({ [CLIENT_IP_HEADER]: "198.51.100.5", "x-forwarded-host": "latchkey.example.com" });
  });

  it("LATCHKEY_TRUSTED_PROXIES that is neither a hop count nor addresses is refused, naming the value", () => {
    expect(() => parseTrustedProxies("the load balancer")).toThrow(/LATCHKEY_TRUSTED_PROXIES="the load balancer"/);
    expect(() => parseTrustedProxies("10.0.0.0/99")).toThrow(/LATCHKEY_TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies("99")).toThrow(/at most 32 hops/);
  });
});

describe("the key a client address is limited under", () => {
  it("every address of one IPv6 /64 is one client; IPv4 addresses are themselves", () => {
    expect(limitKeyOf("2001:db8:1:2:aaaa::1")).toBe(limitKeyOf("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(limitKeyOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(limitKeyOf("2001:db8:1:3::1")).not.toBe(limitKeyOf("2001:db8:1:2::1"));
    expect(limitKeyOf("203.0.113.7")).toBe("203.0.113.7");
    expect(limitKeyOf("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });
});
