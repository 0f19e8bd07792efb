// Who is on the other end of a request, for per-IP limits and the audit log:
// the socket's peer address — unless that peer is one of our own proxies
// (TRUSTED_PROXIES, CIDRs), in which case the right-most X-Forwarded-For hop
// that is not one of our proxies. A client-supplied X-Real-IP or
// X-Forwarded-For from an untrusted peer is ignored: rotating it bought a
// fresh rate-limit budget per request (finding 3 of the security probe).
import { BlockList, isIP } from "node:net";

export interface TrustedProxies {
  has(address: string): boolean;
  /** The CIDRs, as configured (for logs and docs). */
  readonly spec: readonly string[];
}

/** "::ffff:10.0.0.1" (IPv4-mapped) → "10.0.0.1"; strips an IPv6 zone. */
export function normalizeAddress(address: string): string {
  const a = address.trim().replace(/%.*$/, "");
  return a.startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** Parses "10.0.0.0/8, 127.0.0.1, ::1/128"; throws on anything else (env validation names it). */
export function parseTrustedProxies(spec: string | readonly string[] | undefined): TrustedProxies {
  const items = (typeof spec === "string" ? spec.split(",") : (spec ?? []))
    .map((s) => s.trim())
    .filter(Boolean);
  const list = new BlockList();
  for (const item of items) {
    const [addr = "", bits] = item.split("/");
    const family = isIP(addr);
    if (family === 0) throw new Error(`not an IP address or CIDR: ${item}`);
    const type = family === 4 ? "ipv4" : "ipv6";
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
      throw new Error(`bad prefix length: ${item}`);
    list.addSubnet(addr, prefix, type);
  }
  return {
    spec: items,
    has(address) {
      const a = normalizeAddress(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/** The client's address given the peer address and the X-Forwarded-For header(s). */
export function resolveClientIp(input: {
  remoteAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  trusted: TrustedProxies;
}): string {
  const peer = normalizeAddress(input.remoteAddress ?? "");
  if (!peer) return "unknown";
  if (!input.trusted.has(peer)) return peer;
  const hops = [input.forwardedFor ?? []]
    .flat()
    .flatMap((h) => h.split(","))
    .map((h) => normalizeAddress(h))
    .filter((h) => isIP(h) !== 0);
  // Right to left: the first hop that is not one of our proxies is the client.
  for (let i = hops.length - 1; i >= 0; i--) if (!input.trusted.has(hops[i]!)) return hops[i]!;
  return hops[0] ?? peer;
}

/** The header the front servers set (and overwrite) with the resolved client address. */
export const CLIENT_IP_HEADER = "x-relay-client-ip";

/**
 * The client address of a request that came through the front server (which
 * overwrites CLIENT_IP_HEADER on every request, so a client cannot choose it).
 */
export function clientIpOf(headers: Pick<Headers, "get">): string | null {
  return headers.get(CLIENT_IP_HEADER)?.trim() || null;
}
