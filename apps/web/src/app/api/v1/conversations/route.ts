// GET  /api/v1/conversations → {conversations}: the caller's, most recently active first
// POST /api/v1/conversations {type:"direct", userId} | {type:"group", title, memberIds}
//      → 201 {conversation} when created, 200 {conversation} for an existing DM
import { createDirectConversation, createGroupConversation, listConversations } from "@relay/core";
import { ZCreateConversationRequestSchema } from "@relay/shared/schemas";
import { authedRoute, json, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ deps, user }) => {
  return json({ conversations: await listConversations(deps, user.id) });
});

export const POST = authedRoute(async ({ req, deps, user }) => {
  const input = await readJson(req, ZCreateConversationRequestSchema);
  if (input.type === "direct") {
    const { conversation, created } = await createDirectConversation(deps, {
      callerId: user.id,
      otherUserId: input.userId,
    });
    return json({ conversation }, created ? 201 : 200);
  }
  const conversation = await createGroupConversation(deps, {
    callerId: user.id,
    title: input.title,
    memberIds: input.memberIds,
  });
  return json({ conversation }, 201);
});
