// The console's session cookie. next-auth writes it (src/auth.ts); every page,
// server action and route handler reads it here, straight from the request's
// Cookie header: an encrypted JWT (AUTH_SECRET, salted with the cookie name).
// The names are the console's own, so the web client's next-auth cookies on
// the same host (cookies ignore ports) never collide with these.
import { decode } from "next-auth/jwt";
import { toUserRole, type TUserRole } from "@relay/shared/schemas";

export const COOKIE_PREFIX = "relay-admin";
export const SESSION_COOKIE = `${COOKIE_PREFIX}.session-token`;

/** Console sessions are working sessions: they end after 12 hours. */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

/** What the session JWT carries (set at sign-in, see the jwt callback in src/auth.ts). */
export interface TStaffClaims {
  userId: string;
  /** The role at sign-in; pages re-read the user and use the current role. */
  role: TUserRole;
  /** When this session was signed in (epoch ms): compared with User.sessionsRevokedAt. */
  signedInAt: number | undefined;
  /** "admin:<uuid>": the id sign-out revokes (core's revokeSession). */
  sessionId: string;
  /** The admin must enrol an authenticator app before anything else (ADMIN_REQUIRE_2FA). */
  needsTotpEnrollment: boolean;
}

/** The session id of a console session JWT (sessions from before ids existed: one per user). */
export function staffSessionId(token: Record<string, unknown>): string {
  return `admin:${typeof token.sid === "string" ? token.sid : String(token.uid)}`;
}

/** How long a revocation of a console session signed out now must last (the cookie is renewed while used). */
export function staffRevocationExpiry(now = Date.now()): Date {
  return new Date(now + SESSION_MAX_AGE_SECONDS * 1000);
}

/** The session cookie's value from a Cookie header (next-auth splits large ones into `.0`, `.1`, …). */
export function sessionCookieValue(cookieHeader: string | null): string | undefined {
  if (!cookieHeader) return undefined;
  const jar = new Map<string, string>();
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === SESSION_COOKIE || name.startsWith(`${SESSION_COOKIE}.`))
      jar.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
  }
  const whole = jar.get(SESSION_COOKIE);
  if (whole) return whole;
  const chunks = [...jar.entries()]
    .filter(([n]) => /\.\d+$/.test(n))
    .sort(([a], [b]) => Number(a.split(".").pop()) - Number(b.split(".").pop()))
    .map(([, v]) => v);
  return chunks.length ? chunks.join("") : undefined;
}

/** The claims of the request's console session, or null (none, expired, forged, another app's). */
export async function readStaffClaims(
  cookieHeader: string | null,
  secret: string,
): Promise<TStaffClaims | null> {
  const token = sessionCookieValue(cookieHeader);
  if (!token) return null;
  try {
    const payload = await decode({ token, secret, salt: SESSION_COOKIE });
    if (!payload || typeof payload.uid !== "string") return null;
    return {
      userId: payload.uid,
      role: toUserRole(payload.role),
      signedInAt: typeof payload.signedInAt === "number" ? payload.signedInAt : undefined,
      sessionId: staffSessionId(payload),
      needsTotpEnrollment: payload.needsTotpEnrollment === true,
    };
  } catch {
    return null;
  }
}
