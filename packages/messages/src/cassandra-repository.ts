import cassandra from "cassandra-driver";
import type { Client, QueryOptions, types as CassandraTypes } from "cassandra-driver";
import { assertKeyspaceName } from "./cql";
import {
  BUCKET_SIZE,
  bucketOf,
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

const { consistencies } = cassandra.types;

export interface CassandraMessageRepositoryOptions {
  /** Keyspace holding the tables; defaults to the client's keyspace. Queries are keyspace-qualified. */
  keyspace?: string;
  /** Consistency for reads and writes; default LOCAL_QUORUM. */
  consistency?: number;
  /** Parallel reads issued by latestMany; default 16. */
  latestManyConcurrency?: number;
}

const COLUMNS =
  "conversation_id, seq, message_id, sender_id, client_msg_id, body, kind, created_at, edited_at, deleted";

/**
 * Messages in Cassandra (tables from cql/001_messages.cql).
 *
 * - All statements are prepared and run at LOCAL_QUORUM (configurable).
 * - insert() is one UNLOGGED batch of four rows: the message, its
 *   messages_by_id lookup, the conversation head and the clientMsgId lookup
 *   (messages_by_client_msg). It resolves only once every row reached
 *   LOCAL_QUORUM, so an acknowledged message is as durable as with a logged
 *   batch; a failed insert may have written some rows, and the client's
 *   retry (same seq, same id, same timestamps) writes them all — idempotent.
 *   Rows and lookups are written USING TIMESTAMP created_at (µs), the head
 *   USING TIMESTAMP seq (a max register, see the CQL file), so a retried
 *   insert never reverts a later edit/delete. Not LOGGED: the batch log buys
 *   all-or-nothing only for sends that are never retried, and costs a write
 *   to two more replicas per message; with one node of three down (before
 *   the others convict it) its "batchlog write at consistency TWO" failed
 *   every send — npm run drill:cassandra, docs/operations.md. Readers cope
 *   with the partial rows an abandoned send can leave: a head ahead of its
 *   row (page/latest walk past it), a row without its lookups (findById and
 *   findByClientMsgId answer null).
 * - edit()/markDeleted() write with a client-chosen timestamp above both the
 *   insert timestamp and any earlier write from this process, so they are
 *   idempotent on retry and always beat a (late) retried insert.
 * - Paging walks buckets one partition at a time: backwards stopping at bucket
 *   0, forwards stopping at bucketOf(head).
 */
export class CassandraMessageRepository implements MessageRepository {
  readonly keyspace: string;
  readonly #client: Client;
  readonly #options: QueryOptions;
  readonly #latestManyConcurrency: number;
  #lastWriteMicros = 0;

  readonly #q: {
    insertMessage: string;
    insertById: string;
    updateHead: string;
    selectHead: string;
    selectById: string;
    selectOne: string;
    selectDesc: string;
    selectAsc: string;
    updateBody: string;
    updateDeleted: string;
    insertChange: string;
    selectChanges: string;
    insertByClientMsg: string;
    selectByClientMsg: string;
    selectUnread: string;
  };

  constructor(client: Client, opts: CassandraMessageRepositoryOptions = {}) {
    this.#client = client;
    const ks = opts.keyspace ?? client.keyspace;
    if (!ks)
      throw new TypeError(
        "CassandraMessageRepository needs a keyspace (option or client keyspace)",
      );
    this.keyspace = assertKeyspaceName(ks);
    this.#options = { prepare: true, consistency: opts.consistency ?? consistencies.localQuorum };
    this.#latestManyConcurrency = Math.max(1, opts.latestManyConcurrency ?? 16);
    const t = (name: string) => `${this.keyspace}.${name}`;
    this.#q = {
      insertMessage:
        `INSERT INTO ${t("messages")} (conversation_id, bucket, seq, message_id, sender_id, client_msg_id, body, kind, created_at, edited_at, deleted) ` +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
      insertById: `INSERT INTO ${t("messages_by_id")} (message_id, conversation_id, seq) VALUES (?, ?, ?) USING TIMESTAMP ?`,
      // USING TIMESTAMP <seq>: highest seq wins, no LWT (see cql/001_messages.cql).
      updateHead: `UPDATE ${t("conversation_heads")} USING TIMESTAMP ? SET last_seq = ? WHERE conversation_id = ?`,
      selectHead: `SELECT last_seq FROM ${t("conversation_heads")} WHERE conversation_id = ?`,
      selectById: `SELECT conversation_id, seq FROM ${t("messages_by_id")} WHERE message_id = ?`,
      selectOne: `SELECT ${COLUMNS} FROM ${t("messages")} WHERE conversation_id = ? AND bucket = ? AND seq = ?`,
      selectDesc: `SELECT ${COLUMNS} FROM ${t("messages")} WHERE conversation_id = ? AND bucket = ? AND seq > ? AND seq < ? LIMIT ?`,
      selectAsc: `SELECT ${COLUMNS} FROM ${t("messages")} WHERE conversation_id = ? AND bucket = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?`,
      updateBody: `UPDATE ${t("messages")} USING TIMESTAMP ? SET body = ?, edited_at = ? WHERE conversation_id = ? AND bucket = ? AND seq = ?`,
      updateDeleted: `UPDATE ${t("messages")} USING TIMESTAMP ? SET deleted = true, body = '', edited_at = ? WHERE conversation_id = ? AND bucket = ? AND seq = ?`,
      insertChange: `INSERT INTO ${t("message_changes")} (conversation_id, changed_at, message_id) VALUES (?, ?, ?)`,
      selectChanges: `SELECT message_id FROM ${t("message_changes")} WHERE conversation_id = ? AND changed_at > ? LIMIT ?`,
      insertByClientMsg: `INSERT INTO ${t("messages_by_client_msg")} (conversation_id, sender_id, client_msg_id, message_id, seq) VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?`,
      selectByClientMsg: `SELECT message_id, seq FROM ${t("messages_by_client_msg")} WHERE conversation_id = ? AND sender_id = ? AND client_msg_id = ?`,
      selectUnread: `SELECT seq, sender_id, deleted FROM ${t("messages")} WHERE conversation_id = ? AND bucket = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
    };
  }

  async insert(msg: StoredMessage): Promise<void> {
    const m = validateMessage(msg);
    const writeTs = m.createdAt.getTime() * 1000;
    await this.#client.batch(
      [
        {
          query: this.#q.insertMessage,
          params: [
            m.conversationId,
            bucketOf(m.seq),
            m.seq,
            m.id,
            m.senderId,
            // undefined = unset: no tombstone for absent optional columns
            m.clientMsgId ?? undefined,
            m.body,
            m.kind,
            m.createdAt,
            m.editedAt ?? undefined,
            m.deleted,
            writeTs,
          ],
        },
        { query: this.#q.insertById, params: [m.id, m.conversationId, m.seq, writeTs] },
        { query: this.#q.updateHead, params: [m.seq, m.seq, m.conversationId] },
        ...(m.clientMsgId === null
          ? []
          : [
              {
                query: this.#q.insertByClientMsg,
                params: [m.conversationId, m.senderId, m.clientMsgId, m.id, m.seq, writeTs],
              },
            ]),
      ],
      { ...this.#options, logged: false, isIdempotent: true },
    );
  }

  async page(conversationId: string, opts: PageOptions): Promise<Page> {
    const { direction, after, before, limit } = normalizePageOptions(opts);
    if (!isUuid(conversationId)) return { messages: [], hasMore: false };
    const cid = normalizeUuid(conversationId);
    const head = await this.#head(cid);
    const upper = Math.min(before - 1, head); // highest seq we may return
    const lower = after + 1; // lowest seq we may return
    if (head === 0 || upper < lower) return { messages: [], hasMore: false };

    const rows: StoredMessage[] = [];
    const want = limit + 1; // one extra row tells us whether there is more
    if (direction === "backward") {
      const stop = bucketOf(lower); // never below bucket 0
      for (let b = bucketOf(upper); b >= stop && rows.length < want; b--) {
        rows.push(
          ...(await this.#select(this.#q.selectDesc, [
            cid,
            b,
            after,
            upper + 1,
            want - rows.length,
          ])),
        );
      }
      const hasMore = rows.length > limit;
      return { messages: rows.slice(0, limit).reverse(), hasMore };
    }
    const stop = bucketOf(upper); // never past the head's bucket
    for (let b = bucketOf(lower); b <= stop && rows.length < want; b++) {
      rows.push(
        ...(await this.#select(this.#q.selectAsc, [cid, b, after, upper + 1, want - rows.length])),
      );
    }
    const hasMore = rows.length > limit;
    return { messages: rows.slice(0, limit), hasMore };
  }

  async findById(conversationId: string, messageId: string): Promise<StoredMessage | null> {
    if (!isUuid(conversationId) || !isUuid(messageId)) return null;
    const cid = normalizeUuid(conversationId);
    const mid = normalizeUuid(messageId);
    const rs = await this.#client.execute(this.#q.selectById, [mid], {
      ...this.#options,
      isIdempotent: true,
    });
    const loc = rs.first() as CassandraTypes.Row | null;
    if (!loc || uuidString(loc.get("conversation_id")) !== cid) return null;
    const msg = await this.#bySeq(cid, toNumber(loc.get("seq")));
    // The seq could in theory have been reused by another message (never-acked
    // orphan overwritten); the lookup is only valid when the ids agree.
    return msg && msg.id === mid ? msg : null;
  }

  async edit(
    conversationId: string,
    messageId: string,
    body: string,
    editedAt: Date,
  ): Promise<StoredMessage | null> {
    if (typeof body !== "string") throw new TypeError("body must be a string");
    const at = validateDate(editedAt, "editedAt");
    const found = await this.findById(conversationId, messageId);
    if (!found || found.deleted) return null;
    await this.#client.execute(
      this.#q.updateBody,
      [this.#writeTimestamp(found), body, at, found.conversationId, bucketOf(found.seq), found.seq],
      { ...this.#options, isIdempotent: true },
    );
    await this.#recordChange(found.conversationId, at, found.id);
    return { ...found, body, editedAt: at };
  }

  async markDeleted(
    conversationId: string,
    messageId: string,
    at: Date,
  ): Promise<StoredMessage | null> {
    const when = validateDate(at, "at");
    const found = await this.findById(conversationId, messageId);
    if (!found) return null;
    if (found.deleted) return found; // idempotent: keep the first deletion time
    await this.#client.execute(
      this.#q.updateDeleted,
      [this.#writeTimestamp(found), when, found.conversationId, bucketOf(found.seq), found.seq],
      { ...this.#options, isIdempotent: true },
    );
    await this.#recordChange(found.conversationId, when, found.id);
    return { ...found, deleted: true, body: "", editedAt: when };
  }

  async changedSince(conversationId: string, since: Date, limit: number): Promise<StoredMessage[]> {
    if (!isUuid(conversationId)) return [];
    const cid = normalizeUuid(conversationId);
    const rs = await this.#client.execute(
      this.#q.selectChanges,
      [cid, validateDate(since, "since"), Math.max(1, limit) * 2],
      this.#options,
    );
    const ids = [...new Set(rs.rows.map((r) => uuidString(r.get("message_id"))))].slice(0, limit);
    const found = await Promise.all(ids.map((id) => this.findById(cid, id)));
    return found.filter((m): m is StoredMessage => m !== null).sort((a, b) => a.seq - b.seq);
  }

  async #recordChange(conversationId: string, at: Date, messageId: string): Promise<void> {
    await this.#client.execute(this.#q.insertChange, [conversationId, at, messageId], {
      ...this.#options,
      isIdempotent: true,
    });
  }

  async #latest(conversationId: string): Promise<StoredMessage | null> {
    if (!isUuid(conversationId)) return null;
    const cid = normalizeUuid(conversationId);
    const head = await this.#head(cid);
    if (head === 0) return null;
    const msg = await this.#bySeq(cid, head);
    if (msg) return msg;
    // Head without its row (batch still being replayed): fall back to a walk.
    const { messages } = await this.page(cid, { beforeSeq: head, limit: 1 });
    return messages[0] ?? null;
  }

  async latestMany(conversationIds: string[]): Promise<Map<string, StoredMessage>> {
    const ids = [...new Set(conversationIds)];
    const found = new Array<StoredMessage | null>(ids.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        found[i] = await this.#latest(ids[i]!);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.#latestManyConcurrency, ids.length) }, worker),
    );
    const out = new Map<string, StoredMessage>();
    ids.forEach((id, i) => {
      const msg = found[i];
      if (msg) out.set(id, msg);
    });
    return out;
  }

  async findByClientMsgId(
    conversationId: string,
    senderId: string,
    clientMsgId: string,
  ): Promise<StoredMessage | null> {
    if (!isUuid(conversationId) || !isUuid(senderId) || typeof clientMsgId !== "string")
      return null;
    const cid = normalizeUuid(conversationId);
    const rs = await this.#client.execute(
      this.#q.selectByClientMsg,
      [cid, normalizeUuid(senderId), clientMsgId],
      { ...this.#options, isIdempotent: true },
    );
    const loc = rs.first() as CassandraTypes.Row | null;
    if (!loc) return null;
    const msg = await this.#bySeq(cid, toNumber(loc.get("seq")));
    return msg && msg.id === uuidString(loc.get("message_id")) ? msg : null;
  }

  async countUnread(
    conversationId: string,
    opts: { afterSeq: number; readerId: string; cap: number; headSeq?: number },
  ): Promise<number> {
    if (!isUuid(conversationId) || opts.cap <= 0) return 0;
    const cid = normalizeUuid(conversationId);
    const reader = isUuid(opts.readerId) ? normalizeUuid(opts.readerId) : "";
    const after = Math.max(0, Math.floor(opts.afterSeq));
    const head = opts.headSeq ?? (await this.#head(cid));
    let count = 0;
    // Buckets hold at most BUCKET_SIZE rows: one page each.
    for (let b = bucketOf(after + 1); b <= bucketOf(head) && count < opts.cap; b++) {
      const rs = await this.#client.execute(this.#q.selectUnread, [cid, b, after, BUCKET_SIZE], {
        ...this.#options,
        isIdempotent: true,
      });
      for (const row of rs.rows)
        if (row.get("deleted") !== true && uuidString(row.get("sender_id")) !== reader) count++;
    }
    return Math.min(count, opts.cap);
  }

  async maxSeq(conversationId: string): Promise<number> {
    if (!isUuid(conversationId)) return 0;
    return this.#head(normalizeUuid(conversationId));
  }

  async ping(): Promise<void> {
    await this.#client.execute("SELECT now() FROM system.local", [], {
      prepare: true,
      isIdempotent: true,
    });
  }

  /** last_seq of the conversation, 0 when it has none. */
  async #head(cid: string): Promise<number> {
    const rs = await this.#client.execute(this.#q.selectHead, [cid], {
      ...this.#options,
      isIdempotent: true,
    });
    const row = rs.first() as CassandraTypes.Row | null;
    const value: unknown = row?.get("last_seq");
    return value === null || value === undefined ? 0 : toNumber(value);
  }

  async #bySeq(cid: string, seq: number): Promise<StoredMessage | null> {
    const rows = await this.#select(this.#q.selectOne, [cid, bucketOf(seq), seq]);
    return rows[0] ?? null;
  }

  async #select(query: string, params: unknown[]): Promise<StoredMessage[]> {
    const rs = await this.#client.execute(query, params, { ...this.#options, isIdempotent: true });
    return rs.rows.map(rowToMessage);
  }

  /**
   * Write timestamp (µs) for an update of `msg`: strictly after its insert
   * (written at created_at) and after every earlier update from this process.
   */
  #writeTimestamp(msg: StoredMessage): number {
    const ts = Math.max(
      Date.now() * 1000,
      msg.createdAt.getTime() * 1000 + 1,
      this.#lastWriteMicros + 1,
    );
    this.#lastWriteMicros = ts;
    return ts;
  }
}

function rowToMessage(row: CassandraTypes.Row): StoredMessage {
  const deleted = row.get("deleted") === true;
  const clientMsgId: unknown = row.get("client_msg_id");
  const body: unknown = row.get("body");
  const editedAt: unknown = row.get("edited_at");
  const createdAt: unknown = row.get("created_at");
  return {
    id: uuidString(row.get("message_id")),
    conversationId: uuidString(row.get("conversation_id")),
    seq: toNumber(row.get("seq")),
    senderId: uuidString(row.get("sender_id")),
    clientMsgId: typeof clientMsgId === "string" ? clientMsgId : null,
    // A delete racing an edit could leave a body next to deleted=true: never show it.
    body: deleted || typeof body !== "string" ? "" : body,
    kind: row.get("kind") === "system" ? "system" : "text",
    createdAt: createdAt instanceof Date ? createdAt : new Date(0),
    editedAt: editedAt instanceof Date ? editedAt : null,
    deleted,
  };
}

function uuidString(value: unknown): string {
  if (value instanceof cassandra.types.Uuid) return value.toString();
  if (typeof value === "string") return value.toLowerCase();
  throw new TypeError(`expected a uuid column value, got ${typeof value}`);
}

function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof cassandra.types.Long) return value.toNumber();
  throw new TypeError(`expected a bigint column value, got ${typeof value}`);
}
