/**
 * The stored message model and the helpers both repository implementations
 * share (bucketing, validation). Defined locally on purpose: this package does
 * not depend on `@relay/shared`.
 */

export type MessageKind = "text" | "system";

export interface StoredMessage {
  /** message_id (uuid). */
  id: string;
  conversationId: string;
  /** Per-conversation sequence number, a positive safe integer (1, 2, ...). */
  seq: number;
  senderId: string;
  clientMsgId: string | null;
  /** Empty string once the message is deleted. */
  body: string;
  kind: MessageKind;
  createdAt: Date;
  editedAt: Date | null;
  deleted: boolean;
}

/** Number of seqs per Cassandra partition: bucket = floor(seq / BUCKET_SIZE). */
export const BUCKET_SIZE = 1000;

/** The partition bucket a seq lives in. */
export function bucketOf(seq: number): number {
  return Math.floor(seq / BUCKET_SIZE);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_RE.test(value);
}

/** Lower-cases a uuid so both implementations compare ids the same way. */
export function normalizeUuid(value: string): string {
  return value.toLowerCase();
}

export function isValidSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/**
 * Throws a TypeError/RangeError describing the first problem with `msg`.
 * Returns a normalized copy (lower-cased uuids, copied dates).
 */
export function validateMessage(msg: StoredMessage): StoredMessage {
  for (const key of ["id", "conversationId", "senderId"] as const) {
    if (!isUuid(msg[key]))
      throw new TypeError(`StoredMessage.${key} must be a uuid, got ${JSON.stringify(msg[key])}`);
  }
  if (!isValidSeq(msg.seq))
    throw new RangeError(
      `StoredMessage.seq must be a positive safe integer, got ${String(msg.seq)}`,
    );
  if (typeof msg.body !== "string") throw new TypeError("StoredMessage.body must be a string");
  if (msg.kind !== "text" && msg.kind !== "system")
    throw new TypeError(
      `StoredMessage.kind must be "text" or "system", got ${JSON.stringify(msg.kind)}`,
    );
  if (msg.clientMsgId !== null && typeof msg.clientMsgId !== "string")
    throw new TypeError("StoredMessage.clientMsgId must be a string or null");
  if (!isValidDate(msg.createdAt))
    throw new TypeError("StoredMessage.createdAt must be a valid Date");
  if (msg.editedAt !== null && !isValidDate(msg.editedAt))
    throw new TypeError("StoredMessage.editedAt must be a valid Date or null");
  if (typeof msg.deleted !== "boolean")
    throw new TypeError("StoredMessage.deleted must be a boolean");
  return {
    id: normalizeUuid(msg.id),
    conversationId: normalizeUuid(msg.conversationId),
    seq: msg.seq,
    senderId: normalizeUuid(msg.senderId),
    clientMsgId: msg.clientMsgId,
    body: msg.deleted ? "" : msg.body,
    kind: msg.kind,
    createdAt: new Date(msg.createdAt.getTime()),
    editedAt: msg.editedAt === null ? null : new Date(msg.editedAt.getTime()),
    deleted: msg.deleted,
  };
}

export function validateDate(value: Date, name: string): Date {
  if (!isValidDate(value)) throw new TypeError(`${name} must be a valid Date`);
  return new Date(value.getTime());
}

export interface PageOptions {
  /** Only seqs strictly below this. */
  beforeSeq?: number;
  /** Only seqs strictly above this; when set, the page is the lowest seqs (walks forwards). */
  afterSeq?: number;
  /** Maximum number of messages (a positive integer). */
  limit: number;
}

export interface Page {
  /** Ascending seq order. */
  messages: StoredMessage[];
  /**
   * More messages exist past the end this page walked towards: older ones
   * (below the first message) when paging backwards / latest, newer ones
   * (above the last message, and below `beforeSeq` if given) when paging
   * forwards with `afterSeq`.
   */
  hasMore: boolean;
}

export interface NormalizedPageOptions {
  direction: "backward" | "forward";
  /** Exclusive lower bound (0 = none, since seqs start at 1). */
  after: number;
  /** Exclusive upper bound (Infinity = none). */
  before: number;
  limit: number;
}

/** Validates page options and turns them into exclusive bounds plus a direction. */
export function normalizePageOptions(opts: PageOptions): NormalizedPageOptions {
  const { beforeSeq, afterSeq, limit } = opts;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`page limit must be a positive integer, got ${String(limit)}`);
  }
  if (
    beforeSeq !== undefined &&
    (typeof beforeSeq !== "number" || !Number.isSafeInteger(beforeSeq))
  ) {
    throw new RangeError(`beforeSeq must be an integer, got ${String(beforeSeq)}`);
  }
  if (afterSeq !== undefined && (typeof afterSeq !== "number" || !Number.isSafeInteger(afterSeq))) {
    throw new RangeError(`afterSeq must be an integer, got ${String(afterSeq)}`);
  }
  return {
    direction: afterSeq === undefined ? "backward" : "forward",
    after: afterSeq === undefined ? 0 : Math.max(0, afterSeq),
    before: beforeSeq === undefined ? Number.POSITIVE_INFINITY : beforeSeq,
    limit,
  };
}

export function cloneMessage(msg: StoredMessage): StoredMessage {
  return {
    ...msg,
    createdAt: new Date(msg.createdAt.getTime()),
    editedAt: msg.editedAt === null ? null : new Date(msg.editedAt.getTime()),
  };
}
