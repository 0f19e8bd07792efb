// PATCH /api/v1/conversations/:id/settings {mutedUntil} → {conversation} (per-member mute; null unmutes)
import { setConversationMute } from "@relay/core";
import { ZConversationSettingsRequestSchema, ZIdParamsSchema } from "@relay/shared/schemas";
import { authedRoute, json, parseParams, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const PATCH = authedRoute<{ id: string }>(async ({ req, params, deps, user }) => {
  const { id } = parseParams(params, ZIdParamsSchema);
  const { mutedUntil } = await readJson(req, ZConversationSettingsRequestSchema);
  return json({
    conversation: await setConversationMute(deps, {
      callerId: user.id,
      conversationId: id,
      mutedUntil,
    }),
  });
});
