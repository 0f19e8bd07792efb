import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

describe("contentSecurityPolicy", () => {
  const csp = contentSecurityPolicy({
    development: false,
    nonce: "abc123",
    connectOrigins: ["http://localhost:4000", "https://rt.example"],
  });

  it("runs only nonced scripts, never inline or eval in production", () => {
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });

  it("connects only to itself and the realtime origins (http and ws twins)", () => {
    expect(csp).toContain(
      "connect-src 'self' http://localhost:4000 ws://localhost:4000 https://rt.example wss://rt.example",
    );
    expect(csp).not.toMatch(/connect-src[^;]*\bhttps?:(\s|;|$)/); // no bare scheme wildcards
  });

  it("allows eval only in development (React's dev tooling)", () => {
    expect(contentSecurityPolicy({ development: true, nonce: "n" })).toContain("'unsafe-eval'");
  });
});

describe("securityHeaders", () => {
  it("forbids framing and MIME sniffing", () => {
    const h = new Map(securityHeaders().map((x) => [x.key.toLowerCase(), x.value]));
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("x-frame-options")).toBe("DENY");
  });
});
