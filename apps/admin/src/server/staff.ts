// Who is using the console, checked on every page, server action and route
// handler: a console session cookie that was not signed out, the user re-read
// through core (`checkSession`: not suspended or banned, and not signed in
// before a forced logout — so moderating a moderator ends their console
// session too), and a role at least the one the page needs. A cookie alone is
// never trusted: it stays cryptographically valid after any of those changes.
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { checkSession, clientIpOf, hasRole, type TModerationContext, type User } from "@relay/core";
import type { TSessionRevokedReason, TUserRole } from "@relay/shared/schemas";
import { loadEnv } from "../env";
import { getDeps } from "./deps";
import { readStaffClaims, type TStaffClaims } from "./session";

export type TStaffRole = Extract<TUserRole, "MODERATOR" | "ADMIN">;

export interface TStaff {
  user: User;
  /** The current role (from Postgres, not from the cookie). */
  role: TUserRole;
  claims: TStaffClaims;
  /** For every core call: the actor, IP and user agent written to the audit log. */
  ctx: TModerationContext;
}

export type TStaffState =
  | { kind: "anonymous" }
  /** The session was ended by moderation (or the account is gone): sign in again. */
  | { kind: "revoked"; reason: TSessionRevokedReason }
  /** Signed in, but the account is below the role needed (e.g. a USER, or demoted). */
  | { kind: "forbidden"; staff: TStaff }
  /** An admin who must enrol TOTP before anything else (ADMIN_REQUIRE_2FA). */
  | { kind: "enroll"; staff: TStaff }
  | { kind: "ok"; staff: TStaff };

type TSession =
  | { kind: "anonymous" }
  | { kind: "revoked"; reason: TSessionRevokedReason }
  | { kind: "live"; staff: TStaff };

/** The session behind a request's headers, checked against Postgres (any role). */
export async function resolveSession(headers: Headers): Promise<TSession> {
  const claims = await readStaffClaims(headers.get("cookie"), loadEnv().AUTH_SECRET);
  if (!claims) return { kind: "anonymous" };
  const state = await checkSession(getDeps(), {
    userId: claims.userId,
    sessionId: claims.sessionId,
    issuedAtMs: claims.signedInAt,
  });
  // Signed out (a copy of the cookie): no session. Ended elsewhere: say why.
  if (state.kind === "signed_out") return { kind: "anonymous" };
  if (state.kind === "revoked") return state;
  const { user } = state;
  return {
    kind: "live",
    staff: {
      user,
      role: user.role,
      claims,
      ctx: {
        actor: { userId: user.id, role: user.role },
        ip: clientIpOf(headers),
        userAgent: headers.get("user-agent"),
      },
    },
  };
}

/** What a session may do on a page, action or route that needs `min`. */
export function staffStateOf(
  session: TSession,
  min: TStaffRole,
  opts: { allowEnrollment?: boolean } = {},
): TStaffState {
  if (session.kind !== "live") return session;
  const { staff } = session;
  if (!hasRole(staff.role, min)) return { kind: "forbidden", staff };
  const mustEnroll =
    (staff.claims.needsTotpEnrollment || loadEnv().ADMIN_REQUIRE_2FA) &&
    staff.role === "ADMIN" &&
    !staff.user.totpEnabledAt;
  if (mustEnroll && !opts.allowEnrollment) return { kind: "enroll", staff };
  return { kind: "ok", staff };
}

export async function staffState(
  headers: Headers,
  min: TStaffRole,
  opts: { allowEnrollment?: boolean } = {},
): Promise<TStaffState> {
  return staffStateOf(await resolveSession(headers), min, opts);
}

/** One Postgres read per request, shared by the layout and the page. */
const currentSession = cache(async (): Promise<TSession> => resolveSession(await headers()));

/** Where the sign-in page sends a revoked session, with the reason it shows. */
export function signInPath(state: { kind: "anonymous" } | { kind: "revoked"; reason: string }) {
  return state.kind === "revoked" ? `/signin?revoked=${state.reason}` : "/signin";
}

/**
 * For pages and server actions: the staff member, or the response Next.js
 * renders instead — a redirect to /signin (no session, or one ended by
 * moderation), the 403 page (app/forbidden.tsx) for a role below `min`, or a
 * redirect to /account/2fa for an admin who must enrol TOTP first.
 */
export async function requireStaff(
  min: TStaffRole,
  opts: { allowEnrollment?: boolean } = {},
): Promise<TStaff> {
  const state = staffStateOf(await currentSession(), min, opts);
  if (state.kind === "anonymous" || state.kind === "revoked") redirect(signInPath(state));
  if (state.kind === "forbidden") forbidden();
  if (state.kind === "enroll") redirect("/account/2fa");
  return state.staff;
}

/** The signed-in staff member if any (any role, no redirects): for the sign-in page and the landing. */
export async function currentStaff(): Promise<TStaffState> {
  return staffStateOf(await currentSession(), "MODERATOR");
}
