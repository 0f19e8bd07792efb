// Who is using the console, checked on every page, server action and route
// handler: a console session cookie, the user re-read through core
// (`requireActiveUser`: not suspended or banned, and not signed in before a
// forced logout — so moderating a moderator ends their console session too),
// and a role at least the one the page needs. A cookie alone is never trusted:
// it stays cryptographically valid after any of those changes.
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { hasRole, requireActiveUser, type TModerationContext, type User } from "@relay/core";
import { AppError } from "@relay/shared/errors";
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

/**
 * The client's address as the nearest proxy reports it (X-Real-IP, else the
 * last X-Forwarded-For hop — the one Next.js or the proxy added), the same
 * rule as the web app's, so the per-IP credential budget is one per client.
 */
export function clientIp(headers: Headers): string | null {
  const real = headers.get("x-real-ip")?.trim();
  if (real) return real;
  const hops =
    headers
      .get("x-forwarded-for")
      ?.split(",")
      .map((h) => h.trim())
      .filter(Boolean) ?? [];
  return hops.at(-1) ?? null;
}

type TSession =
  | { kind: "anonymous" }
  | { kind: "revoked"; reason: TSessionRevokedReason }
  | { kind: "live"; staff: TStaff };

/** The session behind a request's headers, checked against Postgres (any role). */
export async function resolveSession(headers: Headers): Promise<TSession> {
  const claims = await readStaffClaims(headers.get("cookie"), loadEnv().AUTH_SECRET);
  if (!claims) return { kind: "anonymous" };
  const deps = getDeps();
  let user: User;
  try {
    user = await requireActiveUser(deps, claims.userId, { issuedAtMs: claims.signedInAt });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === "FORBIDDEN")
      return { kind: "revoked", reason: /banned/.test(err.message) ? "banned" : "suspended" };
    return { kind: "revoked", reason: "logged_out" };
  }
  return {
    kind: "live",
    staff: {
      user,
      role: user.role,
      claims,
      ctx: {
        actor: { userId: user.id, role: user.role },
        ip: clientIp(headers),
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
