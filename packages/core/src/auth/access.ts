// The one check behind every Bearer-authenticated request (REST v1 and the
// realtime node's HTTP history): a valid, unexpired access token whose user
// still exists and is ACTIVE, which was issued after the user's sessions
// were last revoked (force logout, sign out everywhere), and whose session
// was not signed out (a realtime token minted from a browser session dies
// with it). Tokens live 15 minutes; reading the user on each request makes a
// suspension, ban or logout take effect on the next one.
import type { User } from "@relay/db";
import { requireLiveSession, type SessionCheckDeps } from "./sessions";
import type { TAccessClaims, TokenService } from "./tokens";

/**
 * Pass `redis` and `keys` (any CoreDeps does) so the signed-out check is a
 * Redis read; without them it is a Postgres lookup.
 */
export async function authenticateAccessToken(
  deps: SessionCheckDeps & { tokens: Pick<TokenService, "verifyAccess"> },
  token: unknown,
): Promise<{ claims: TAccessClaims; user: User }> {
  const claims = await deps.tokens.verifyAccess(token);
  return {
    claims,
    user: await requireLiveSession(deps, {
      userId: claims.userId,
      sessionId: claims.sessionId,
      issuedAtMs: claims.issuedAtMs,
    }),
  };
}
