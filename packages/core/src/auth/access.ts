// The one check behind every Bearer-authenticated request (REST v1 and the
// realtime node's HTTP history): a valid, unexpired access token whose user
// still exists and is ACTIVE. Tokens live 15 minutes; reading the status on
// each request makes a suspension or ban take effect on the next request.
import type { PrismaClient, User } from "@relay/db";
import { requireActiveUser } from "../users/users";
import type { TAccessClaims, TokenService } from "./tokens";

export async function authenticateAccessToken(
  deps: { db: PrismaClient; tokens: Pick<TokenService, "verifyAccess"> },
  token: unknown,
): Promise<{ claims: TAccessClaims; user: User }> {
  const claims = await deps.tokens.verifyAccess(token);
  return { claims, user: await requireActiveUser(deps, claims.userId) };
}
