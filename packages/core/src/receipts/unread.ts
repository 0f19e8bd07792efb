// Unread counts, in one place (conversation list, sync, the push badge).
//
// Unread is the number of messages above the reader's read mark that are not
// theirs and not deleted — a count, not a seq distance: seqs have gaps (a
// never-acknowledged send, and the margin a Redis re-seed skips, see
// messages/sequencer.ts), and a distance would count each gap as unread.
// A conversation read to its head costs nothing; otherwise one Cassandra read
// per seq bucket walked, counting at most LIMITS.unreadCountMax.
import type { MessageRepository } from "@relay/messages/runtime";
import { LIMITS } from "@relay/shared/limits";
import { pool } from "../concurrency";

export interface TUnreadInput {
  conversationId: string;
  readerId: string;
  /** The reader's read mark (Membership.lastReadSeq). */
  readSeq: number | bigint;
  /** The conversation's highest seq when the caller has it (saves a read); 0 = empty. */
  headSeq?: number;
}

/** Unread per input, in order. */
export async function countUnread(
  messages: Pick<MessageRepository, "countUnread">,
  items: readonly TUnreadInput[],
): Promise<number[]> {
  return pool(items, 16, async (it) => {
    const afterSeq = Number(it.readSeq);
    if (it.headSeq !== undefined && it.headSeq <= afterSeq) return 0;
    return messages.countUnread(it.conversationId, {
      afterSeq,
      readerId: it.readerId,
      cap: LIMITS.unreadCountMax,
      ...(it.headSeq === undefined ? {} : { headSeq: it.headSeq }),
    });
  });
}
