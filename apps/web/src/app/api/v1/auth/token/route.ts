// POST /api/v1/auth/token {email, password} → {accessToken, refreshToken, expiresIn, user}
import { issueTokenPair, signInWithPassword, toPublicUser } from "@relay/core";
import { ZTokenRequestSchema } from "@relay/shared/schemas";
import { clientIp, json, publicRoute, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = publicRoute(async ({ req, deps }) => {
  const input = await readJson(req, ZTokenRequestSchema);
  const user = await signInWithPassword(deps, { ...input, ip: clientIp(req) });
  const pair = await issueTokenPair(deps, user);
  return json({ ...pair, user: toPublicUser(user, { includeEmail: true }) });
});
