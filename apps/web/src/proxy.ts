// In front of every request (Next.js proxy, Node.js runtime): the shared edge
// policy — per-request CSP nonce, and the contract's error envelope for
// requests no route can answer (malformed paths, TRACE, a method an API route
// lacks, unsafe sign-in callback URLs). API methods come from the OpenAPI
// document, the one list of REST routes.
import type { NextRequest } from "next/server";
import { createEdgePolicy } from "@relay/edge/policy";
import { buildOpenApiDocument } from "@relay/shared/openapi";
import { loadEnv } from "./env";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function apiRoutes(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, item] of Object.entries(buildOpenApiDocument().paths ?? {}))
    out[path] = METHODS.filter((m) => item && m in item).map((m) => m.toUpperCase());
  return out;
}

let policy: ReturnType<typeof createEdgePolicy> | undefined;

export function proxy(request: NextRequest) {
  if (!policy) {
    const env = loadEnv();
    policy = createEdgePolicy({
      development: env.NODE_ENV === "development",
      connectOrigins: [env.REALTIME_PUBLIC_URL, ...env.CSP_CONNECT_ORIGINS],
      apiRoutes: apiRoutes(),
    });
  }
  return policy(request);
}

export const config = {
  // Everything but Next's own static assets.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
