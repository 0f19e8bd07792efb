// The one check behind every Bearer-authenticated request (REST v1 and the
// realtime node's HTTP history): a valid, unexpired access token whose user
// still exists and is ACTIVE, and which was issued after the user's sessions
// were last revoked (force logout). Tokens live 15 minutes; reading the user
// on each request makes a suspension, ban or logout take effect on the next one.
import type { PrismaClient, User } from "@relay/db";
import { requireActiveUser } from "../users/users";
import type { TAccessClaims, TokenService } from "./tokens";

export async function authenticateAccessToken(
  deps: { db: PrismaClient; tokens: Pick<TokenService, "verifyAccess"> },
  token: unknown,
): Promise<{ claims: TAccessClaims; user: User }> {
  const claims = await deps.tokens.verifyAccess(token);
  return {
    claims,
    user: await requireActiveUser(deps, claims.userId, { issuedAtMs: claims.issuedAtMs }),
  };
}
