// Access tokens: HS256 JWTs signed by apps/web, verified here locally (no DB hit).
import { AppError } from "@relay/shared/errors";
import { jwtVerify } from "jose";
import type { SocketData } from "@relay/shared/events";

export const ACCESS_TOKEN_ISSUER = "relay";
export const ACCESS_TOKEN_AUDIENCE = "relay:realtime";

export function createTokenVerifier(secret: string) {
  const key = new TextEncoder().encode(secret);
  return async function verifyAccessToken(token: unknown): Promise<SocketData> {
    if (typeof token !== "string" || token.length === 0 || token.length > 4096) {
      throw new AppError("UNAUTHORIZED", "missing access token");
    }
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ["HS256"],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
      });
      const role = payload.role === "ADMIN" ? "ADMIN" : "USER";
      if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw new Error("claims");
      return { userId: payload.sub, role, sessionId: payload.sid };
    } catch {
      throw new AppError("UNAUTHORIZED", "invalid or expired access token");
    }
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
