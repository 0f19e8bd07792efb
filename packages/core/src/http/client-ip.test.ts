import { describe, expect, it } from "vitest";
import { normalizeAddress, parseTrustedProxies, resolveClientIp } from "./client-ip";

describe("resolveClientIp", () => {
  const none = parseTrustedProxies("");
  const lb = parseTrustedProxies("10.0.0.0/8, 127.0.0.1, ::1");

  it("takes the peer address when it is not a trusted proxy, whatever the headers say", () => {
    expect(
      resolveClientIp({ remoteAddress: "198.51.100.7", forwardedFor: "1.2.3.4", trusted: none }),
    ).toBe("198.51.100.7");
    expect(
      resolveClientIp({
        remoteAddress: "::ffff:198.51.100.7",
        forwardedFor: undefined,
        trusted: lb,
      }),
    ).toBe("198.51.100.7");
  });

  it("behind trusted proxies, takes the right-most untrusted X-Forwarded-For hop", () => {
    // A client forging hops on the left cannot choose its address.
    expect(
      resolveClientIp({
        remoteAddress: "10.1.2.3",
        forwardedFor: "6.6.6.6, 203.0.113.9, 10.9.9.9",
        trusted: lb,
      }),
    ).toBe("203.0.113.9");
    expect(
      resolveClientIp({
        remoteAddress: "127.0.0.1",
        forwardedFor: ["203.0.113.1", "10.0.0.2"],
        trusted: lb,
      }),
    ).toBe("203.0.113.1");
    // Only proxies (or garbage) in the chain: the left-most valid hop, else the peer.
    expect(
      resolveClientIp({ remoteAddress: "10.0.0.1", forwardedFor: "10.0.0.5", trusted: lb }),
    ).toBe("10.0.0.5");
    expect(
      resolveClientIp({ remoteAddress: "10.0.0.1", forwardedFor: "not-an-ip", trusted: lb }),
    ).toBe("10.0.0.1");
  });

  it("parses CIDRs and refuses what is not one", () => {
    expect(lb.has("10.255.0.1")).toBe(true);
    expect(lb.has("11.0.0.1")).toBe(false);
    expect(lb.has("::1")).toBe(true);
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parseTrustedProxies("example.com")).toThrow(/not an IP/);
    expect(normalizeAddress("fe80::1%eth0")).toBe("fe80::1");
  });
});
