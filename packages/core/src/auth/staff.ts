// Signing in to the admin console: the same password check as everyone, then
// the MODERATOR role at least, then the TOTP second factor (otplib, RFC 6238)
// when the account has one. Admins can be required to enrol one
// (ADMIN_REQUIRE_2FA). TOTP secrets are stored encrypted (AES-256-GCM with a
// key derived from the admin app's secret), never in the clear.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import type { PrismaClient, User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type { TTokenRequest } from "@relay/shared/schemas";
import type { CoreDeps } from "../deps";
import { recordAudit, type TModerationContext } from "../moderation/audit";
import { hasRole } from "../moderation/roles";
import { authenticate } from "../users/users";
import {
  clearCredentialFailures,
  guardCredentialAttempt,
  recordCredentialFailure,
} from "./credential-guard";

/** One 30 s step either side, for clock drift. */
const TOTP_TOLERANCE_SECONDS = 30;

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "relay", "totp-secret-encryption", 32));
}

export function encryptTotpSecret(plain: string, appSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(appSecret), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function decryptTotpSecret(stored: string, appSecret: string): string {
  const [v, iv, tag, data] = stored.split(".");
  if (v !== "v1" || !iv || !tag || !data) throw new Error("unknown TOTP secret format");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    keyFrom(appSecret),
    Buffer.from(iv, "base64url"),
  );
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([
    decipher.update(Buffer.from(data, "base64url")),
    decipher.final(),
  ]).toString("utf8");
}

async function codeMatches(secret: string, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const result = await verify({ secret, token: code, epochTolerance: TOTP_TOLERANCE_SECONDS });
  return result.valid;
}

export interface StaffDeps {
  db: PrismaClient;
  /** When given, sign-ins go through the credential guard (per IP and per account). */
  limits?: CoreDeps["limits"];
  /** The admin app's secret (AUTH_SECRET): the TOTP secrets' encryption key is derived from it. */
  appSecret: string;
}

/**
 * The staff member behind an email, password and (when enrolled) TOTP code.
 * UNAUTHORIZED for wrong credentials or code (`totp required` when one is
 * needed and missing), FORBIDDEN below MODERATOR or when suspended/banned.
 */
export async function authenticateStaff(
  deps: StaffDeps,
  input: TTokenRequest & { totp?: string | undefined; ip?: string },
  opts: { requireTotpForAdmins: boolean },
): Promise<{ user: User; needsTotpEnrollment: boolean }> {
  const { limits } = deps;
  const account = input.email;
  if (limits) await guardCredentialAttempt({ limits }, { ip: input.ip ?? "unknown", account });
  // A wrong password or a wrong code counts against the account; only a
  // complete sign-in (both factors) clears it.
  const failed = async () => {
    if (limits) await recordCredentialFailure({ limits }, account);
  };
  let user: User;
  try {
    user = await authenticate(deps, input);
  } catch (err) {
    if (err instanceof AppError && err.code === "UNAUTHORIZED") await failed();
    throw err;
  }
  if (!hasRole(user.role, "MODERATOR"))
    throw new AppError("FORBIDDEN", "the admin console is for moderators and admins");
  if (user.totpEnabledAt && user.totpSecret) {
    if (!input.totp) throw new AppError("UNAUTHORIZED", "totp required");
    if (!(await codeMatches(decryptTotpSecret(user.totpSecret, deps.appSecret), input.totp))) {
      await failed();
      throw new AppError("UNAUTHORIZED", "wrong authenticator code");
    }
  }
  if (limits) await clearCredentialFailures({ limits }, account);
  return {
    user,
    needsTotpEnrollment: opts.requireTotpForAdmins && user.role === "ADMIN" && !user.totpEnabledAt,
  };
}

/** A fresh secret and its otpauth:// URI (shown as a QR code / typed into an authenticator app). */
export function newTotpEnrollment(label: string): { secret: string; uri: string } {
  const secret = generateSecret();
  return { secret, uri: generateURI({ issuer: "Relay admin", label, secret }) };
}

/** Turns TOTP on once the user proved they hold the secret (a current code). */
export async function enableTotp(
  deps: StaffDeps,
  ctx: TModerationContext,
  input: { secret: string; code: string },
): Promise<void> {
  if (!(await codeMatches(input.secret, input.code)))
    throw new AppError("INVALID_PAYLOAD", "code: does not match; check the time on your device");
  await deps.db.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: ctx.actor.userId },
      data: {
        totpSecret: encryptTotpSecret(input.secret, deps.appSecret),
        totpEnabledAt: new Date(),
      },
    });
    await recordAudit(tx, ctx, {
      action: "user.totp_enabled",
      targetType: "user",
      targetId: ctx.actor.userId,
    });
  });
}
