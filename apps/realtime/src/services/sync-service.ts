// `sync` after a reconnect: for each conversation the client names (and
// belongs to), the head seq, unread count, every member's read/delivered marks
// and the messages it already has that were edited or deleted while it was away.
import type { PrismaClient } from "@relay/db";
import type { MessageRepository } from "@relay/messages";
import type { SocketData } from "@relay/shared/events";
import type { TSyncPayload, TSyncResult } from "@relay/shared/schemas";
import { orUnavailable } from "./unavailable";
import { toMessage } from "@relay/core/wire";

export const SYNC_CHANGES_PER_CONVERSATION = 200;

export function createSyncService(deps: { db: PrismaClient; messages: MessageRepository }) {
  return {
    /** Conversations the caller is not a member of are left out of the result. */
    async sync(user: SocketData, p: TSyncPayload): Promise<TSyncResult> {
      const ids = Object.keys(p.conversations);
      if (ids.length === 0) return {};
      const memberships = await orUnavailable("database", () =>
        deps.db.membership.findMany({
          where: {
            conversationId: { in: ids },
            conversation: { deletedAt: null, memberships: { some: { userId: user.userId } } },
          },
          select: { conversationId: true, userId: true, lastReadSeq: true, lastDeliveredSeq: true },
        }),
      );
      const byConv = new Map<string, typeof memberships>();
      for (const m of memberships)
        byConv.set(m.conversationId, [...(byConv.get(m.conversationId) ?? []), m]);
      const since = p.since ? new Date(p.since) : null;

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
          const mine = members.find((m) => m.userId === user.userId);
          const clientSeq = p.conversations[conversationId] ?? 0;
          return [
            conversationId,
            {
              lastSeq,
              unread: Math.max(0, lastSeq - Number(mine?.lastReadSeq ?? 0)),
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
    },
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
