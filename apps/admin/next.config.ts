import { securityHeaders } from "@relay/edge/security-headers";
import type { NextConfig } from "next";

// The Content-Security-Policy (with a per-request nonce) is set by src/proxy.ts.
const headers = securityHeaders();

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // forbidden() and app/forbidden.tsx: the 403 page of requireStaff (src/server/staff.ts).
  experimental: { authInterrupts: true },
  transpilePackages: ["@relay/ui", "@relay/shared", "@relay/core", "@relay/db", "@relay/messages"],
  headers() {
    return Promise.resolve([{ source: "/:path*", headers }]);
  },
};

export default config;
