// POST /api/v1/auth/token {email, password} → {accessToken, refreshToken, expiresIn, user}
import { authenticate, issueTokenPair, toPublicUser } from "@relay/core";
import { ZTokenRequestSchema } from "@relay/shared/schemas";
import { limitAuthByIp } from "../../../../../server/rate-limit";
import { json, publicRoute, readJson } from "../../../../../server/route";

export const dynamic = "force-dynamic";

export const POST = publicRoute(async ({ req, deps }) => {
  const input = await readJson(req, ZTokenRequestSchema);
  await limitAuthByIp(deps, req, "token");
  const user = await authenticate(deps, input);
  const pair = await issueTokenPair(deps, user);
  return json({ ...pair, user: toPublicUser(user, { includeEmail: true }) });
});
