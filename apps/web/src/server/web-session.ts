// What identifies a browser session: the claims next-auth keeps in the
// session cookie's JWT (set by the jwt callback in src/auth.ts at sign-in).
// REST, the pages, the realtime-token route and sign-out all name the session
// the same way, so revoking it (core's revokeSession) reaches every one of them.
import type { TSessionRef } from "@relay/core";

/** The cookie's max age; renewed while used, so a revocation is kept this long after sign-out. */
export const WEB_SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** The session behind a decoded session JWT, or null when it names no user. */
export function webSessionOf(token: Record<string, unknown> | null): TSessionRef | null {
  if (!token || typeof token.uid !== "string") return null;
  return {
    userId: token.uid,
    // Access tokens minted for the browser (realtime-token) carry this as `sid`.
    sessionId: `web:${typeof token.sid === "string" ? token.sid : token.uid}`,
    issuedAtMs: typeof token.signedInAt === "number" ? token.signedInAt : undefined,
  };
}

/** How long a revocation of a session signed out now must last. */
export function webRevocationExpiry(now = Date.now()): Date {
  return new Date(now + WEB_SESSION_MAX_AGE_SECONDS * 1000);
}
