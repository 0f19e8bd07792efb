// Access tokens: short-lived HS256 JWTs signed by apps/web and verified by
// apps/realtime locally (no DB hit). Claims: sub = user id, role, sid = session
// (refresh-token family) id.
import { SignJWT, jwtVerify } from "jose";
import { AppError } from "@relay/shared/errors";
import { toUserRole, type TUserRole } from "@relay/shared/schemas";

export const ACCESS_TOKEN_ISSUER = "relay";
export const ACCESS_TOKEN_AUDIENCE = "relay:realtime";
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface TAccessClaims {
  userId: string;
  role: TUserRole;
  sessionId: string;
  /**
   * When the token (or the browser session behind it) was issued, epoch ms;
   * compared with User.sessionsRevokedAt and the deny-list, so a force logout
   * voids every token issued before it.
   */
  issuedAtMs?: number;
  /** When the token stops being valid (epoch ms); a socket must refresh before it (auth:refresh). */
  expiresAtMs?: number;
}

export function createTokenService(opts: { jwtSecret: string; accessTtlSeconds?: number }) {
  const key = new TextEncoder().encode(opts.jwtSecret);
  const ttl = opts.accessTtlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  return {
    accessTtlSeconds: ttl,
    async signAccess(claims: TAccessClaims, ttlSeconds = ttl): Promise<string> {
      // iatMs: the issue time in ms (iat has whole seconds), so a token issued
      // just after a force logout in the same second is not taken for an old one.
      return new SignJWT({ role: claims.role, sid: claims.sessionId, iatMs: Date.now() })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(claims.userId)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(key);
    },
    /** Throws AppError UNAUTHORIZED for anything but a valid, unexpired token. */
    async verifyAccess(token: unknown): Promise<TAccessClaims> {
      if (typeof token !== "string" || token.length === 0 || token.length > 4096) {
        throw new AppError("UNAUTHORIZED", "missing access token");
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          issuer: ACCESS_TOKEN_ISSUER,
          audience: ACCESS_TOKEN_AUDIENCE,
        });
        // Every claim we rely on must be there: a token without an expiry, an
        // issue time or a subject is refused, whoever signed it.
        if (
          typeof payload.sub !== "string" ||
          typeof payload.sid !== "string" ||
          typeof payload.exp !== "number" ||
          typeof payload.iat !== "number"
        )
          throw new Error("claims");
        return {
          userId: payload.sub,
          role: toUserRole(payload.role),
          sessionId: payload.sid,
          issuedAtMs: typeof payload.iatMs === "number" ? payload.iatMs : payload.iat * 1000,
          expiresAtMs: payload.exp * 1000,
        };
      } catch {
        throw new AppError("UNAUTHORIZED", "invalid or expired access token");
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
