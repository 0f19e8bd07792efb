// GET /api/v1/users?query= → {users}: people search (active users, not the caller, ≤ 20)
import { searchUsers } from "@relay/core";
import { ZUserSearchQuerySchema } from "@relay/shared/schemas";
import { authedRoute, json, readQuery } from "@/server/route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ req, deps, user }) => {
  const { query } = readQuery(req, ZUserSearchQuerySchema);
  return json({
    users: await searchUsers(deps, { query, callerId: user.id, callerRole: user.role }),
  });
});
