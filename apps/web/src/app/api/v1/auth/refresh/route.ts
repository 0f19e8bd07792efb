// POST /api/v1/auth/refresh {refreshToken} → {accessToken, refreshToken, expiresIn} (rotated)
import { guardCredentialAttempt, refreshTokenPair } from "@relay/core";
import { ZRefreshRequestSchema } from "@relay/shared/schemas";
import { clientIp, json, publicRoute, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = publicRoute(async ({ req, deps }) => {
  const { refreshToken } = await readJson(req, ZRefreshRequestSchema);
  await guardCredentialAttempt(deps, { ip: clientIp(req) });
  return json(await refreshTokenPair(deps, refreshToken));
});
