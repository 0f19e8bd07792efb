// POST /api/v1/conversations/:id/members {userIds} → {conversation} (group OWNER/ADMIN only)
import { addMembers } from "@relay/core";
import { ZAddMembersRequestSchema, ZIdParamsSchema } from "@relay/shared/schemas";
import { authedRoute, json, parseParams, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = authedRoute<{ id: string }>(async ({ req, params, deps, user }) => {
  const { id } = parseParams(params, ZIdParamsSchema);
  const { userIds } = await readJson(req, ZAddMembersRequestSchema);
  return json({
    conversation: await addMembers(deps, { callerId: user.id, conversationId: id, userIds }),
  });
});
