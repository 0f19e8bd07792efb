// POST /api/v1/reports {conversationId, messageId, category, reason?} → 202 {status:"received"}
// A member reports a message to the moderators (rate-limited per user). The
// answer never says what happens next; a repeated report changes nothing.
import { reportMessage } from "@relay/core";
import { ZReportRequestSchema } from "@relay/shared/schemas";
import { authedRoute, json, readJson } from "@/server/route";

export const dynamic = "force-dynamic";

export const POST = authedRoute(async ({ req, deps, user }) => {
  const input = await readJson(req, ZReportRequestSchema);
  const receipt = await reportMessage(deps, {
    actor: { userId: user.id, role: user.role },
    ...input,
  });
  return json(receipt, 202);
});
