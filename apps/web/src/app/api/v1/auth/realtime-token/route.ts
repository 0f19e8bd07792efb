// GET /api/v1/auth/realtime-token → {token, url}: an access token for the
// browser's Socket.IO connection and where to connect.
//
// NOTE: the contract authenticates this route with the browser's session
// cookie. next-auth lands in a later issue; until then the route accepts a
// Bearer access token (authedRoute), and the session-cookie path is added in
// authedRoute when next-auth arrives.
import type { TRealtimeToken } from "@relay/shared/schemas";
import { authedRoute, json } from "@/server/route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ deps, auth, user }) => {
  const token = await deps.tokens.signAccess({
    userId: user.id,
    role: user.role,
    sessionId: auth.sessionId,
  });
  const body: TRealtimeToken = { token, url: deps.env.REALTIME_PUBLIC_URL };
  return json(body);
});
