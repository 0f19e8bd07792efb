// POST /api/v1/conversations/:id/leave → 204 (groups only; a direct conversation → 403 FORBIDDEN)
import { leaveConversation } from "@relay/core";
import { ZIdParamsSchema } from "@relay/shared/schemas";
import { authedRoute, noContent, parseParams } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = authedRoute<{ id: string }>(async ({ params, deps, user }) => {
  const { id } = parseParams(params, ZIdParamsSchema);
  await leaveConversation(deps, { callerId: user.id, conversationId: id });
  return noContent();
});
