import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers";

const headerMap = (development: boolean) =>
  new Map(securityHeaders({ development }).map((h) => [h.key.toLowerCase(), h.value]));

describe("securityHeaders", () => {
  it("forbids framing, MIME sniffing, plugins and eval in production", () => {
    const h = headerMap(false);
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("x-frame-options")).toBe("DENY");
    const csp = h.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
  });

  it("allows what the dev server needs only in development", () => {
    expect(headerMap(true).get("content-security-policy")).toContain("'unsafe-eval'");
  });
});
