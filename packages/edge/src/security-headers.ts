// HTTP security headers for Relay's Next.js apps (web and admin). The static
// ones go through next.config.ts `headers()`; the Content-Security-Policy is
// set per request by the app's proxy (edge.ts) because it carries a fresh
// script nonce: no inline script runs unless Next.js rendered it with that
// nonce. Styles keep 'unsafe-inline' (React style attributes cannot carry a
// nonce). Sockets may only go to the app itself and the realtime origin.

export interface TCspOptions {
  development: boolean;
  /** Per-request script nonce (base64). */
  nonce: string;
  /** Extra origins for fetch/WebSocket (the realtime tier), e.g. "http://localhost:4000". */
  connectOrigins?: readonly string[];
}

/** http(s) origins plus their ws(s) twins, for connect-src. */
function withWebSocketTwins(origins: readonly string[]): string[] {
  const out = new Set<string>();
  for (const o of origins) {
    const u = new URL(o);
    out.add(u.origin);
    out.add(`${u.protocol === "https:" ? "wss:" : "ws:"}//${u.host}`);
  }
  return [...out];
}

export function contentSecurityPolicy(opts: TCspOptions): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts loaded by a nonced script may load more (Next's chunks).
    `script-src 'self' 'nonce-${opts.nonce}' 'strict-dynamic'${opts.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${withWebSocketTwins(opts.connectOrigins ?? []).join(" ")}`.trim(),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The headers every response gets (CSP aside, see contentSecurityPolicy). */
export function securityHeaders(): Array<{ key: string; value: string }> {
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  ];
}
