// POST /api/v1/me/sessions/revoke-all → 204: sign out everywhere. Every
// session of the caller ends — every browser (this one included), API
// clients' refresh and access tokens, and the sockets on every realtime node
// (`session:revoked {reason: "logged_out"}`). Bearer or session cookie (a
// cookie request must come from the app's own origin, like every mutation).
import { signOutEverywhere } from "@relay/core";
import { authedRoute, noContent } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = authedRoute(async ({ deps, user }) => {
  await signOutEverywhere(deps, user.id);
  return noContent();
});
