import {
  cloneMessage,
  isUuid,
  normalizePageOptions,
  normalizeUuid,
  validateDate,
  validateMessage,
  type Page,
  type PageOptions,
  type StoredMessage,
} from "./model";
import type { MessageRepository } from "./repository";

/** Runs `fn` and turns its result or its throw into a promise (errors reject, never throw synchronously). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}

/**
 * In-process implementation for unit tests and local tools. Same contract as
 * the Cassandra one (see repository.contract.ts); data lives in this object.
 */
export class InMemoryMessageRepository implements MessageRepository {
  /** conversationId -> seq -> message */
  readonly #conversations = new Map<string, Map<number, StoredMessage>>();
  /** messageId -> where it lives */
  readonly #byId = new Map<string, { conversationId: string; seq: number }>();

  insert(msg: StoredMessage): Promise<void> {
    return settle(() => {
      const m = validateMessage(msg);
      let conv = this.#conversations.get(m.conversationId);
      if (!conv) {
        conv = new Map();
        this.#conversations.set(m.conversationId, conv);
      }
      // Idempotent: the first write of a (conversation, seq) wins, so a retried
      // insert never reverts a later edit/delete (as in Cassandra, where the row
      // is written with the created_at timestamp).
      if (!conv.has(m.seq)) {
        conv.set(m.seq, m);
        this.#byId.set(m.id, { conversationId: m.conversationId, seq: m.seq });
      }
    });
  }

  page(conversationId: string, opts: PageOptions): Promise<Page> {
    return settle(() => {
      const { direction, after, before, limit } = normalizePageOptions(opts);
      const conv = this.#conversation(conversationId);
      if (!conv) return { messages: [], hasMore: false };
      const inRange = [...conv.keys()]
        .filter((seq) => seq > after && seq < before)
        .sort((a, b) => a - b);
      const picked =
        direction === "forward"
          ? inRange.slice(0, limit)
          : inRange.slice(Math.max(0, inRange.length - limit));
      const messages = picked.flatMap((seq) => {
        const m = conv.get(seq);
        return m ? [cloneMessage(m)] : [];
      });
      return { messages, hasMore: inRange.length > limit };
    });
  }

  findById(conversationId: string, messageId: string): Promise<StoredMessage | null> {
    return settle(() => {
      const found = this.#find(conversationId, messageId);
      return found ? cloneMessage(found) : null;
    });
  }

  edit(
    conversationId: string,
    messageId: string,
    body: string,
    editedAt: Date,
  ): Promise<StoredMessage | null> {
    return settle(() => {
      if (typeof body !== "string") throw new TypeError("body must be a string");
      const at = validateDate(editedAt, "editedAt");
      const found = this.#find(conversationId, messageId);
      if (!found || found.deleted) return null;
      found.body = body;
      found.editedAt = at;
      return cloneMessage(found);
    });
  }

  markDeleted(conversationId: string, messageId: string, at: Date): Promise<StoredMessage | null> {
    return settle(() => {
      const when = validateDate(at, "at");
      const found = this.#find(conversationId, messageId);
      if (!found) return null;
      if (found.deleted) return cloneMessage(found); // idempotent: keep the first deletion time
      found.deleted = true;
      found.body = "";
      found.editedAt = when;
      return cloneMessage(found);
    });
  }

  changedSince(conversationId: string, since: Date, limit: number): Promise<StoredMessage[]> {
    return settle(() => {
      const after = validateDate(since, "since").getTime();
      return [...(this.#conversation(conversationId)?.values() ?? [])]
        .filter((m) => m.editedAt !== null && m.editedAt.getTime() > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, Math.max(1, limit))
        .map(cloneMessage);
    });
  }

  latestMany(conversationIds: string[]): Promise<Map<string, StoredMessage>> {
    return settle(() => {
      const out = new Map<string, StoredMessage>();
      for (const id of conversationIds) {
        const msg = this.#latest(id);
        if (msg) out.set(id, msg);
      }
      return out;
    });
  }

  findByClientMsgId(
    conversationId: string,
    senderId: string,
    clientMsgId: string,
  ): Promise<StoredMessage | null> {
    return settle(() => {
      if (!isUuid(senderId)) return null;
      const sender = normalizeUuid(senderId);
      for (const m of this.#conversation(conversationId)?.values() ?? [])
        if (m.senderId === sender && m.clientMsgId === clientMsgId) return cloneMessage(m);
      return null;
    });
  }

  countUnread(
    conversationId: string,
    opts: { afterSeq: number; readerId: string; cap: number },
  ): Promise<number> {
    return settle(() => {
      const reader = isUuid(opts.readerId) ? normalizeUuid(opts.readerId) : "";
      let count = 0;
      for (const m of this.#conversation(conversationId)?.values() ?? [])
        if (m.seq > opts.afterSeq && !m.deleted && m.senderId !== reader) count++;
      return Math.max(0, Math.min(count, opts.cap));
    });
  }

  maxSeq(conversationId: string): Promise<number> {
    return settle(() => {
      const conv = this.#conversation(conversationId);
      return conv ? maxKey(conv) : 0;
    });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  #conversation(conversationId: string): Map<number, StoredMessage> | undefined {
    return isUuid(conversationId)
      ? this.#conversations.get(normalizeUuid(conversationId))
      : undefined;
  }

  #latest(conversationId: string): StoredMessage | null {
    const conv = this.#conversation(conversationId);
    const top = conv?.get(maxKey(conv));
    return top ? cloneMessage(top) : null;
  }

  #find(conversationId: string, messageId: string): StoredMessage | undefined {
    if (!isUuid(conversationId) || !isUuid(messageId)) return undefined;
    const loc = this.#byId.get(normalizeUuid(messageId));
    if (!loc || loc.conversationId !== normalizeUuid(conversationId)) return undefined;
    return this.#conversations.get(loc.conversationId)?.get(loc.seq);
  }
}

function maxKey(map: Map<number, unknown>): number {
  let max = 0;
  for (const key of map.keys()) if (key > max) max = key;
  return max;
}
