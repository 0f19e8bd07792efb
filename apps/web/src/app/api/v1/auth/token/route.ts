// POST /api/v1/auth/token {email, password} → {accessToken, refreshToken, expiresIn, user}
import { authenticate, issueTokenPair, toPublicUser } from "@relay/core";
import { ZTokenRequestSchema } from "@relay/shared/schemas";
import { json, limitByIp, publicRoute, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = publicRoute(async ({ req, deps }) => {
  const input = await readJson(req, ZTokenRequestSchema);
  await limitByIp(deps, req, "signIn");
  const user = await authenticate(deps, input);
  const pair = await issueTokenPair(deps, user);
  return json({ ...pair, user: toPublicUser(user, { includeEmail: true }) });
});
