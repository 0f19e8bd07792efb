// The request policy in front of both Next.js apps (their src/proxy.ts):
// - a fresh CSP nonce per request (see security-headers.ts), handed to Next.js
//   through the request's Content-Security-Policy header so it nonces its scripts;
// - requests no route could answer correctly get the contract's error envelope
//   instead of Next.js's bare 500/405: malformed %-encoding in the path (400),
//   a method an API route does not have (405 with Allow), an auth
//   `callbackUrl` that is not a path or this site (400). (TRACE, TRACK and
//   CONNECT never get this far: the front server, server.ts, refuses them.)
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "./security-headers";

export interface TEdgeOptions {
  development: boolean;
  /** Origins the page may connect to besides itself (the realtime tier). */
  connectOrigins?: readonly string[];
  /** API route templates ("/api/v1/conversations/{id}/leave") → their methods ("POST"). */
  apiRoutes?: Readonly<Record<string, readonly string[]>>;
}

function envelope(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return NextResponse.json(
    { ok: false, error: { code, message } },
    { status, headers: { "cache-control": "no-store", ...headers } },
  );
}

/** Compiles "{param}" templates once. */
function routeMatcher(routes: Readonly<Record<string, readonly string[]>>) {
  const compiled = Object.entries(routes).map(([template, methods]) => ({
    re: new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+")}$`,
    ),
    methods: new Set([...methods.map((m) => m.toUpperCase()), "OPTIONS"]),
  }));
  return (path: string) => compiled.find((r) => r.re.test(path));
}

function isSafeCallback(value: string, origin: string): boolean {
  if (value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\")) return true;
  try {
    return new URL(value).origin === origin;
  } catch {
    return false;
  }
}

export function createEdgePolicy(opts: TEdgeOptions) {
  const matchApi = opts.apiRoutes ? routeMatcher(opts.apiRoutes) : null;
  return function edgePolicy(request: NextRequest): NextResponse {
    const url = request.nextUrl;
    const method = request.method.toUpperCase();
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return envelope(400, "INVALID_PAYLOAD", "path: malformed %-encoding");
    }
    if (path.includes("\u0000")) return envelope(400, "INVALID_PAYLOAD", "path: invalid character");
    if (url.pathname.startsWith("/api/auth/")) {
      const callback = url.searchParams.get("callbackUrl");
      if (callback !== null && !isSafeCallback(callback, url.origin))
        return envelope(400, "INVALID_PAYLOAD", "callbackUrl: must be a path on this site");
    }
    if (matchApi && url.pathname.startsWith("/api/v1/")) {
      const route = matchApi(url.pathname);
      if (route && !route.methods.has(method))
        return envelope(405, "INVALID_PAYLOAD", `method ${method} is not allowed here`, {
          allow: [...route.methods].join(", "),
        });
    }
    const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
    const csp = contentSecurityPolicy({
      development: opts.development,
      nonce,
      ...(opts.connectOrigins ? { connectOrigins: opts.connectOrigins } : {}),
    });
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("content-security-policy", csp);
    const response = NextResponse.next({ request: { headers: requestHeaders } });
    response.headers.set("content-security-policy", csp);
    return response;
  };
}
