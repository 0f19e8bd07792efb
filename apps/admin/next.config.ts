import { securityHeaders } from "@relay/ui/security-headers";
import type { NextConfig } from "next";

const headers = securityHeaders({ development: process.env.NODE_ENV === "development" });

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@relay/ui", "@relay/shared", "@relay/core", "@relay/db", "@relay/messages"],
  headers() {
    return Promise.resolve([{ source: "/:path*", headers }]);
  },
};

export default config;
