// GET /api/v1/conversations/:id/messages?beforeSeq=&afterSeq=&limit= → {messages, hasMore}
// Message history for members (403 FORBIDDEN otherwise), the same use case as
// the socket's message:history; a suspended or banned caller is refused by authedRoute.
import { messageHistory } from "@relay/core";
import { ZIdParamsSchema, ZMessageHistoryQuerySchema } from "@relay/shared/schemas";
import { authedRoute, json, parseParams, readQuery } from "@/server/route";

export const dynamic = "force-dynamic";

export const GET = authedRoute<{ id: string }>(async ({ req, params, deps, user }) => {
  const { id } = parseParams(params, ZIdParamsSchema);
  const query = readQuery(req, ZMessageHistoryQuerySchema);
  return json(
    await messageHistory(deps, {
      actor: { userId: user.id, role: user.role },
      conversationId: id,
      ...query,
    }),
  );
});
