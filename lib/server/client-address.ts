import type { IncomingMessage } from "node:http";
import ipaddr from "ipaddr.js";
import proxyAddr from "proxy-addr";
import { plainAddress } from "../sessions/words";

/**
 * The headers in which the server (scripts/server.mjs) tells the rest of Latchkey who the client
 * is: set on every request from the socket and the proxies it trusts, after any copy the client
 * sent was removed. Nothing else reads X-Forwarded-For or X-Forwarded-Proto.
 */
export const CLIENT_IP_HEADER = "x-latchkey-client-ip";
export const CLIENT_PROTO_HEADER = "x-latchkey-client-proto";
export const CLIENT_ADDRESS_KEY = Symbol.for("latchkey.clientAddress");
const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/** Which hops may speak for the client: proxy-addr's trust function (address, hop index). */
export type ProxyTrust = (address: string, hop: number) => boolean;

export const TRUST_NONE: ProxyTrust = () => false;

/**
 * Reads LATCHKEY_TRUSTED_PROXIES: unset or empty trusts no proxy (the socket's address is the
 * client); a number trusts that many hops in front of Latchkey; otherwise a comma-separated list
 * of addresses, CIDR ranges or proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`).
 * Throws with what is wrong.
 */
export function parseTrustedProxies(value: string | undefined): ProxyTrust {
  const text = value?.trim() ?? "";
  if (text === "" || text === "0") return TRUST_NONE;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 32) throw new Error(`LATCHKEY_TRUSTED_PROXIES=${text}: at most 32 hops`);
    return (_address, hop) => hop < hops;
  }
  const entries = text.split(",").map((entry) => entry.trim()).filter(Boolean);
  try {
    return proxyAddr.compile(entries);
  } catch (error) {
    throw new Error(`LATCHKEY_TRUSTED_PROXIES=${JSON.stringify(text)}: ${(error as Error).message} (give a hop count, or addresses and CIDR ranges separated by commas)`);
  }
}

/** The client's address and whether it reached the first trusted hop over TLS. */
export function clientOf(request: IncomingMessage, trust: ProxyTrust): { ip: string | null; https: boolean } {
  const socketAddress = request.socket.remoteAddress;
  if (!socketAddress) return { ip: null, https: false };
  const ip = plainAddress(proxyAddr(request, trust));
  const encrypted = Boolean((request.socket as { encrypted?: boolean }).encrypted);
  // X-Forwarded-Proto is believed only from a trusted proxy, as Express does.
  const forwardedProto = trust(socketAddress, 0) ? headerValue(request, "x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() : undefined;
  return { ip, https: forwardedProto ? forwardedProto === "https" : encrypted };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Replaces whatever the client sent in the client headers with what the socket and the trusted
 * proxies say. Called by the server on every request before anything reads them.
 */
export function stampClient(request: IncomingMessage, trust: ProxyTrust): void {
  delete request.headers[CLIENT_IP_HEADER];
  delete request.headers[CLIENT_PROTO_HEADER];
  const client = clientOf(request, trust);
  // What an untrusted peer says about forwarding reaches nothing downstream (the console's
  // same-origin check reads X-Forwarded-Host, Next.js the others).
  const peer = request.socket.remoteAddress;
  if (!peer || !trust(peer, 0)) {
    for (const name of FORWARDING_HEADERS) delete request.headers[name];
  }
  if (client.ip) request.headers[CLIENT_IP_HEADER] = client.ip;
  request.headers[CLIENT_PROTO_HEADER] = client.https ? "https" : "http";
}

/**
 * The key rate limits count a client address under: IPv6 clients usually hold a whole /64, so
 * every address in it is one client.
 */
export function limitKeyOf(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === "ipv4") return address.toString();
  const groups = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${groups.join(":")}::/64`;
}
