// message:history and the HTTP history routes: a page of a conversation by
// seq, for members only.
import { LIMITS } from "@relay/shared/limits";
import type { TMessageHistoryPayload, TMessageHistoryResult } from "@relay/shared/schemas";
import { requireMember } from "../conversations/access";
import type { CoreDeps, TActor } from "../deps";
import { orUnavailable } from "../errors";
import { toMessage } from "./wire";

/** Without a cursor, the latest page; messages in ascending seq order. FORBIDDEN for non-members. */
export async function messageHistory(
  deps: Pick<CoreDeps, "membership" | "messages">,
  input: { actor: TActor } & TMessageHistoryPayload,
): Promise<TMessageHistoryResult> {
  await requireMember(deps.membership, input.conversationId, input.actor.userId);
  const page = await orUnavailable("message store", () =>
    deps.messages.page(input.conversationId, {
      ...(input.beforeSeq !== undefined ? { beforeSeq: input.beforeSeq } : {}),
      ...(input.afterSeq !== undefined ? { afterSeq: input.afterSeq } : {}),
      limit: input.limit ?? LIMITS.historyPageDefault,
    }),
  );
  return { messages: page.messages.map(toMessage), hasMore: page.hasMore };
}
