// `sync` after a reconnect: for each conversation the client names (and
// belongs to), the head seq, unread count, every member's read/delivered marks
// and the messages it already has that were edited or deleted while it was away.
import type { TSyncPayload, TSyncResult } from "@relay/shared/schemas";
import type { CoreDeps, TActor } from "../deps";
import { orUnavailable } from "../errors";
import { toMessage } from "../messages/wire";
import { countUnread } from "../receipts/unread";

export const SYNC_CHANGES_PER_CONVERSATION = 200;

/** Conversations the caller is not a member of are left out of the result. */
export async function syncConversations(
  deps: Pick<CoreDeps, "db" | "messages">,
  input: { actor: TActor } & TSyncPayload,
): Promise<TSyncResult> {
  const { actor } = input;
  const ids = Object.keys(input.conversations);
  if (ids.length === 0) return {};
  const memberships = await orUnavailable("database", () =>
    deps.db.membership.findMany({
      where: {
        conversationId: { in: ids },
        conversation: { deletedAt: null, memberships: { some: { userId: actor.userId } } },
      },
      select: { conversationId: true, userId: true, lastReadSeq: true, lastDeliveredSeq: true },
    }),
  );
  const byConv = new Map<string, typeof memberships>();
  for (const m of memberships)
    byConv.set(m.conversationId, [...(byConv.get(m.conversationId) ?? []), m]);
  const since = input.since ? new Date(input.since) : null;

  const entries = await Promise.all(
    [...byConv.entries()].map(async ([conversationId, members]) => {
      const [lastSeq, changed] = await orUnavailable("message store", () =>
        Promise.all([
          deps.messages.maxSeq(conversationId),
          since
            ? deps.messages.changedSince(conversationId, since, SYNC_CHANGES_PER_CONVERSATION)
            : Promise.resolve([]),
        ]),
      );
      const mine = members.find((m) => m.userId === actor.userId);
      const clientSeq = input.conversations[conversationId] ?? 0;
      const [unread] = await orUnavailable("message store", () =>
        countUnread(deps.messages, [
          {
            conversationId,
            readerId: actor.userId,
            readSeq: mine?.lastReadSeq ?? 0,
            headSeq: lastSeq,
          },
        ]),
      );
      return [
        conversationId,
        {
          lastSeq,
          unread: unread ?? 0,
          readSeqs: Object.fromEntries(members.map((m) => [m.userId, Number(m.lastReadSeq)])),
          deliveredSeqs: Object.fromEntries(
            members.map((m) => [m.userId, Number(m.lastDeliveredSeq)]),
          ),
          changed: changed.filter((m) => m.seq <= clientSeq).map(toMessage),
        },
      ] as const;
    }),
  );
  return Object.fromEntries(entries);
}
