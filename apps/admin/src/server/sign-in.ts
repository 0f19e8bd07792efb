// The console's credentials check (next-auth's authorize callback): the shared
// schema, then core's `authenticateStaff` — the credential guard (per IP and
// per account), password, MODERATOR at least, the TOTP code when enrolled. Refusals carry a code the sign-in page turns into a
// sentence; nothing else about the account leaks.
import { CredentialsSignin } from "next-auth";
import { authenticateStaff, clientIpOf } from "@relay/core";
import { AppError } from "@relay/shared/errors";
import { parsePayload } from "@relay/shared/protocol";
import { ZStaffSignInRequestSchema, type TUserRole } from "@relay/shared/schemas";
import type { AdminDeps } from "./deps";

export const SIGN_IN_REFUSALS = [
  "invalid_input",
  "invalid",
  "totp_required",
  "totp_wrong",
  "not_staff",
  "suspended",
  "banned",
  "rate_limited",
  "unavailable",
] as const;
export type TSignInRefusal = (typeof SIGN_IN_REFUSALS)[number];

export const isSignInRefusal = (v: unknown): v is TSignInRefusal =>
  (SIGN_IN_REFUSALS as readonly unknown[]).includes(v);

/** A refused sign-in; `code` reaches the sign-in form (next-auth passes it through). */
export class StaffSignInRefused extends CredentialsSignin {
  constructor(code: TSignInRefusal) {
    super();
    this.code = code;
  }
}

export interface TSignedInStaff {
  id: string;
  name: string;
  email: string;
  role: TUserRole;
  needsTotpEnrollment: boolean;
}

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** The staff member for raw form credentials, or StaffSignInRefused with the reason. */
export async function authorizeStaff(
  deps: Pick<AdminDeps, "db" | "appSecret" | "limits" | "env">,
  raw: Partial<Record<"email" | "password" | "totp", unknown>>,
  request?: { headers: Headers },
): Promise<TSignedInStaff> {
  const input = parsePayload(ZStaffSignInRequestSchema, {
    email: raw.email,
    password: raw.password,
    totp: blank(raw.totp),
  });
  if (!input.ok) {
    const badCode = /totp/.test(input.error.message) && !/email|password/.test(input.error.message);
    throw new StaffSignInRefused(badCode ? "totp_wrong" : "invalid_input");
  }
  try {
    const ip = (request && clientIpOf(request.headers)) ?? "unknown";
    const { user, needsTotpEnrollment } = await authenticateStaff(
      deps,
      { ...input.data, ip },
      { requireTotpForAdmins: deps.env.ADMIN_REQUIRE_2FA },
    );
    return {
      id: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      needsTotpEnrollment,
    };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === "RATE_LIMITED") throw new StaffSignInRefused("rate_limited");
    if (err.code === "FORBIDDEN") {
      if (/banned/.test(err.message)) throw new StaffSignInRefused("banned");
      if (/suspended/.test(err.message)) throw new StaffSignInRefused("suspended");
      throw new StaffSignInRefused("not_staff");
    }
    if (err.code === "UNAUTHORIZED") {
      if (/totp required/.test(err.message)) throw new StaffSignInRefused("totp_required");
      if (/authenticator/.test(err.message)) throw new StaffSignInRefused("totp_wrong");
      throw new StaffSignInRefused("invalid");
    }
    throw err;
  }
}
