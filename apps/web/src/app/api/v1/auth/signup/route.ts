// POST /api/v1/auth/signup {email, password, name} → 201 {user}
import { guardCredentialAttempt, signUp, toPublicUser } from "@relay/core";
import { ZSignupRequestSchema } from "@relay/shared/schemas";
import { clientIp, json, limitByIp, publicRoute, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = publicRoute(async ({ req, deps }) => {
  const input = await readJson(req, ZSignupRequestSchema);
  await limitByIp(deps, req, "signUp");
  await guardCredentialAttempt(deps, { ip: clientIp(req) });
  const user = await signUp(deps, input);
  return json({ user: toPublicUser(user, { includeEmail: true }) }, 201);
});
