// GET /api/v1/auth/realtime-token → {token, url}: an access token for the
// browser's Socket.IO connection and where to connect.
//
// The browser calls it with its session cookie (API clients may use a Bearer
// token); `expiresAt` tells the client when to send `auth:refresh` over the
// socket (the server ends a socket whose token ran out).
import type { TRealtimeToken } from "@relay/shared/schemas";
import { authedRoute, json } from "@/server/route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ deps, auth, user }) => {
  const token = await deps.tokens.signAccess({
    userId: user.id,
    role: user.role,
    sessionId: auth.sessionId,
  });
  const body: TRealtimeToken = {
    token,
    url: deps.env.REALTIME_PUBLIC_URL,
    expiresAt: new Date(Date.now() + deps.tokens.accessTtlSeconds * 1000).toISOString(),
  };
  return json(body);
});
