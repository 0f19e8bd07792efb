import type { Page, PageOptions, StoredMessage } from "./model";

export type { Page, PageOptions, StoredMessage, MessageKind } from "./model";
export { BUCKET_SIZE, bucketOf } from "./model";

/**
 * Message storage. Two implementations share one contract test suite
 * (`describeMessageRepository`): {@link CassandraMessageRepository} and
 * {@link InMemoryMessageRepository}.
 *
 * Ids are uuid strings (compared case-insensitively, returned lower-case).
 * Reads given a malformed id behave like reads of an unknown id (null / empty);
 * `insert` rejects invalid messages with a TypeError/RangeError.
 */
export interface MessageRepository {
  /**
   * Stores a message and advances the conversation head. Idempotent on
   * (conversationId, seq): re-inserting the same message changes nothing, and
   * in particular never reverts a later edit or delete of it.
   * Resolves only once the write is durable (Cassandra: LOCAL_QUORUM).
   */
  insert(msg: StoredMessage): Promise<void>;

  /**
   * A page of history in ascending seq order.
   * - neither bound: the latest `limit` messages;
   * - `beforeSeq`: the `limit` highest seqs below it;
   * - `afterSeq`: the `limit` lowest seqs above it (also below `beforeSeq` if both are given).
   * Seqs may have gaps; pages walk across bucket boundaries and skip empty buckets.
   */
  page(conversationId: string, opts: PageOptions): Promise<Page>;

  /** null when unknown, or when the message belongs to another conversation. */
  findById(conversationId: string, messageId: string): Promise<StoredMessage | null>;

  /**
   * Replaces the body and sets editedAt. Returns the updated message, or null
   * when the message is unknown or already deleted.
   */
  edit(
    conversationId: string,
    messageId: string,
    body: string,
    editedAt: Date,
  ): Promise<StoredMessage | null>;

  /**
   * Soft delete: deleted=true, body cleared to "", editedAt=at (the last
   * modification time). Idempotent. Returns the updated message or null when unknown.
   */
  markDeleted(conversationId: string, messageId: string, at: Date): Promise<StoredMessage | null>;

  /**
   * Messages edited or deleted after `since` (their current state, ascending
   * seq, at most `limit`). Serves `sync` for returning clients; the change log
   * keeps 30 days.
   */
  changedSince(conversationId: string, since: Date, limit: number): Promise<StoredMessage[]>;

  /** The message with the highest seq of each conversation; empty conversations are absent from the map. */
  latestMany(conversationIds: string[]): Promise<Map<string, StoredMessage>>;

  /**
   * The message `senderId` stored with `clientMsgId` in the conversation
   * (for at least 24 h after it was stored), or null. The durable side of
   * send idempotency: read only when the Redis dedup record may be lost.
   */
  findByClientMsgId(
    conversationId: string,
    senderId: string,
    clientMsgId: string,
  ): Promise<StoredMessage | null>;

  /**
   * How many messages with seq > `afterSeq` the reader has not read:
   * not deleted and not sent by `readerId`; counts at most `cap` (returns
   * `cap` when there are more). `headSeq` (the conversation's maxSeq, when
   * the caller has it) saves a read. Unread is a count of messages, never a
   * seq distance (seqs have gaps).
   */
  countUnread(
    conversationId: string,
    opts: { afterSeq: number; readerId: string; cap: number; headSeq?: number },
  ): Promise<number>;

  /** Highest stored seq, 0 when none (used to recover the Redis seq counter). */
  maxSeq(conversationId: string): Promise<number>;

  /** Cheap health probe; rejects when the store is unreachable. */
  ping(): Promise<void>;
}
