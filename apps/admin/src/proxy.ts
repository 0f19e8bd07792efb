// In front of every request: the shared edge policy (per-request CSP nonce,
// error envelopes for malformed paths, TRACE and unsafe callback URLs).
import type { NextRequest } from "next/server";
import { createEdgePolicy } from "@relay/edge/policy";
import { loadEnv } from "./env";

let policy: ReturnType<typeof createEdgePolicy> | undefined;

export function proxy(request: NextRequest) {
  policy ??= createEdgePolicy({ development: loadEnv().NODE_ENV === "development" });
  return policy(request);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
