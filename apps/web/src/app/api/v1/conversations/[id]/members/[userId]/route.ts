// DELETE /api/v1/conversations/:id/members/:userId → 204 (group OWNER/ADMIN; your own id = leave)
import { removeMember } from "@relay/core";
import { ZMemberParamsSchema } from "@relay/shared/schemas";
import { authedRoute, noContent, parseParams } from "@/server/route";

export const dynamic = "force-dynamic";

export const DELETE = authedRoute<{ id: string; userId: string }>(
  async ({ params, deps, user }) => {
    const { id, userId } = parseParams(params, ZMemberParamsSchema);
    await removeMember(deps, { callerId: user.id, conversationId: id, userId });
    return noContent();
  },
);
