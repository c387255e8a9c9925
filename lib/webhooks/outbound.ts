// Outbound webhook requests that cannot be aimed inside the network: a URL's host must resolve
// only to public addresses (or ones the allow-list names), checked when an endpoint is saved and
// again at connect time, on the addresses the socket is about to use, so a name that later
// resolves to 127.0.0.1 or 169.254.169.254 (DNS rebinding) is refused before any socket opens.
// No redirects are followed; a slow or huge answer is cut off.
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import type { LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** Resolves a host name to every address it has (injected in tests, which never leave this machine). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface OutboundPolicy {
  /** Address ranges that may be reached although not public (LATCHKEY_WEBHOOK_ALLOW), e.g. a receiver on 127.0.0.1. */
  allow: AllowList;
  resolver: Resolver;
  /** The whole request, connect to last byte (default 10 s). */
  timeoutMs: number;
  /** The most of an answer read (default 64 KiB); the rest is dropped. */
  maxResponseBytes: number;
}

export type AllowList = [ipaddr.IPv4 | ipaddr.IPv6, number][];

export class WebhookUrlError extends Error {}

/** `127.0.0.1/32, 10.0.0.0/8, ::1/128` → ranges; a bare address is its own /32 or /128. Throws on anything else. */
export function parseAllowList(text: string | undefined): AllowList {
  const ranges: AllowList = [];
  for (const item of (text ?? "").split(",").map((part) => part.trim()).filter(Boolean)) {
    try {
      ranges.push(item.includes("/") ? ipaddr.parseCIDR(item) : [ipaddr.parse(item), ipaddr.parse(item).kind() === "ipv4" ? 32 : 128]);
    } catch {
      throw new Error(`LATCHKEY_WEBHOOK_ALLOW: ${JSON.stringify(item)} is not an address or a CIDR range (like 10.1.0.0/16)`);
    }
  }
  return ranges;
}

/** Ranges ipaddr.js calls unicast that are not the public internet: benchmarking, local-use NAT64, site-local, IPv4-compatible, documentation. */
const NOT_PUBLIC: AllowList = ["198.18.0.0/15", "64:ff9b:1::/48", "fec0::/10", "::/96", "2001:db8::/32"].map((cidr) => ipaddr.parseCIDR(cidr));

const inRanges = (address: ipaddr.IPv4 | ipaddr.IPv6, ranges: AllowList) =>
  ranges.some(([range, bits]) => range.kind() === address.kind() && (address as ipaddr.IPv4).match(range as ipaddr.IPv4, bits));

/** Whether a webhook may be sent to `address`: a public unicast address, or one in the allow-list. */
export function addressAllowed(address: string, allow: AllowList): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address); // an IPv4-mapped IPv6 address is judged as the IPv4 one
  if (inRanges(parsed, allow)) return true;
  return parsed.range() === "unicast" && !inRanges(parsed, NOT_PUBLIC);
}

function refusal(host: string, address: string): WebhookUrlError {
  return new WebhookUrlError(
    `${host} resolves to ${address}, a private, loopback, link-local or reserved address: webhooks go only to public addresses (LATCHKEY_WEBHOOK_ALLOW admits others).`,
  );
}

/** Parses and checks a webhook URL: http(s), no credentials, and a host whose every address may be reached. */
export async function checkWebhookUrl(raw: string, policy: Pick<OutboundPolicy, "allow" | "resolver">): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError("The URL is not a valid absolute URL (like https://app.example.com/webhooks/latchkey).");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new WebhookUrlError("The URL must use https (or http).");
  if (url.username || url.password) throw new WebhookUrlError("The URL must not carry a user name or password: the signature authenticates deliveries.");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = isIP(host) ? [host] : await resolveAll(host, policy.resolver);
  for (const address of addresses) if (!addressAllowed(address, policy.allow)) throw refusal(host, address);
  return url;
}

async function resolveAll(host: string, resolver: Resolver): Promise<string[]> {
  let found: LookupAddress[];
  try {
    found = await resolver(host);
  } catch {
    throw new WebhookUrlError(`${host} does not resolve to any address.`);
  }
  if (found.length === 0) throw new WebhookUrlError(`${host} does not resolve to any address.`);
  return found.map((entry) => entry.address);
}

// Connections are kept and reused per host (each one's addresses were checked when it connected).
const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets: 16 }), "https:": new https.Agent({ keepAlive: true, maxSockets: 16 }) };

export interface PostResult {
  /** The HTTP status, or null when no answer came. */
  status: number | null;
  latencyMs: number;
  /** The start of the answer (at most 1,000 characters). */
  response: string | null;
  error: string | null;
}

/**
 * POSTs `body` to `url` with `headers`. The connection's addresses are checked as the socket is
 * about to connect (the `lookup` of the request), so nothing is sent to a refused address.
 */
export function postWebhook(url: URL, body: string, headers: Record<string, string>, policy: OutboundPolicy): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Omit<PostResult, "latencyMs">) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, latencyMs: elapsed() });
    };
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(host) && !addressAllowed(host, policy.allow)) return done({ status: null, response: null, error: refusal(host, host).message });

    const lookup = (hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      policy.resolver(hostname).then(
        (found) => {
          const refused = found.find((entry) => !addressAllowed(entry.address, policy.allow));
          if (refused || found.length === 0) return callback(refused ? refusal(hostname, refused.address) : new WebhookUrlError(`${hostname} does not resolve to any address.`));
          if (options.all) return callback(null, found);
          callback(null, found[0]!.address, found[0]!.family);
        },
        (error: unknown) => callback(error),
      );
    };

    const client = url.protocol === "https:" ? https : http;
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Latchkey-Webhooks/1", ...headers },
        lookup: lookup as never,
        agent: agents[url.protocol as "http:" | "https:"],
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= policy.maxResponseBytes) chunks.push(chunk);
          else response.destroy();
        });
        const finish = () => done({ status: response.statusCode ?? null, response: Buffer.concat(chunks).toString("utf8").slice(0, 1000) || null, error: null });
        response.on("end", finish);
        response.on("close", finish);
        response.on("error", finish);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${policy.timeoutMs} ms`));
    }, policy.timeoutMs);
    request.on("error", (error) => done({ status: null, response: null, error: error.message }));
    request.on("close", () => clearTimeout(timer));
    request.end(body);
  });
}
