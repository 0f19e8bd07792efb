// message:send — validate (the transport did) → authorize (cached members) →
// rate-limit → dedup → seq → Cassandra + push job → ack → fan-out once to
// every member.
//
// Invariants (design.md): acknowledged ⇒ durably in Cassandra (1); seqs
// strictly increasing and never reused, a retry reuses its reservation (2);
// a retried clientMsgId returns the original and stores nothing new (3).
// Push: acknowledged ⇒ the message's push fan-out job is in the queue. It is
// added at the same time as the Cassandra write (one Redis script, so the
// ack waits for the slower of the two, not their sum) and the dedup record
// says `stored` only once both succeeded, so a retry after any failure
// re-does both (each idempotent). The worker decides who is pushed.
import { randomUUID } from "node:crypto";
import type { StoredMessage } from "@relay/messages/runtime";
import { LIMITS } from "@relay/shared/limits";
import type { TMessageSendPayload, TMessageSendResult } from "@relay/shared/schemas";
import { requireMember } from "../conversations/access";
import { markParticipated } from "../conversations/contacts";
import type { CoreDeps, TActor } from "../deps";
import { orUnavailable } from "../errors";
import { advanceOwnMarks } from "../receipts/receipts";
import { toMessage } from "./wire";

/** What a send reserved (and, once `stored`, wrote) for one clientMsgId. */
interface TSendRecord {
  messageId: string;
  seq: number;
  createdAt: string;
  stored: boolean;
}

export type SendMessageDeps = Pick<
  CoreDeps,
  | "db"
  | "redis"
  | "keys"
  | "messages"
  | "membership"
  | "sequencer"
  | "limits"
  | "events"
  | "push"
  | "logger"
>;

async function readRecord(deps: SendMessageDeps, key: string): Promise<TSendRecord | null> {
  const raw = await deps.redis.get(key);
  return raw ? (JSON.parse(raw) as TSendRecord) : null;
}

/** Reserve (or find) the seq and id of this clientMsgId. */
async function reserve(
  deps: SendMessageDeps,
  conversationId: string,
  key: string,
): Promise<TSendRecord> {
  const existing = await readRecord(deps, key);
  if (existing) return existing;
  const candidate: TSendRecord = {
    messageId: randomUUID(),
    seq: await deps.sequencer.next(conversationId),
    createdAt: new Date().toISOString(),
    stored: false,
  };
  const won = await deps.redis.set(
    key,
    JSON.stringify(candidate),
    "EX",
    LIMITS.dedupTtlSeconds,
    "NX",
  );
  if (won) return candidate;
  // A concurrent retry of the same clientMsgId reserved first: use its
  // reservation (ours becomes a never-acknowledged gap).
  const theirs = await readRecord(deps, key);
  if (!theirs) throw new Error("dedup record vanished");
  return theirs;
}

/**
 * Stores a message from `actor` and delivers `message:new` to every member's
 * devices on every node. A retry of an acknowledged send returns the original
 * result and emits nothing.
 */
export async function sendMessage(
  deps: SendMessageDeps,
  input: { actor: TActor } & TMessageSendPayload,
): Promise<TMessageSendResult> {
  const { actor, conversationId, clientMsgId } = input;
  const members = await requireMember(deps.membership, conversationId, actor.userId);
  await deps.limits.enforce("send", actor.userId);

  const key = deps.keys.dedup(conversationId, actor.userId, clientMsgId);
  const rec = await orUnavailable("sequencer", () => reserve(deps, conversationId, key));
  const result = { messageId: rec.messageId, seq: rec.seq, createdAt: rec.createdAt };
  if (rec.stored) return result;

  const stored: StoredMessage = {
    id: rec.messageId,
    conversationId,
    seq: rec.seq,
    senderId: actor.userId,
    clientMsgId,
    body: input.body,
    kind: "text",
    createdAt: new Date(rec.createdAt),
    editedAt: null,
    deleted: false,
  };
  // Invariant 1: acknowledge only after Cassandra has the message; and only
  // once its push job is queued (a fan-out that runs before the row lands
  // waits for it; one for a send that failed finds nothing and gives up).
  await Promise.all([
    orUnavailable("message store", () => deps.messages.insert(stored)),
    orUnavailable("push queue", () =>
      deps.push.messageStored({
        messageId: rec.messageId,
        conversationId,
        seq: rec.seq,
        senderId: actor.userId,
      }),
    ),
  ]);
  // If this fails the client retries; the re-insert of the same row and the
  // re-add of the same job are idempotent. A sender's first message in a
  // conversation also makes them a participant (who may be watched, see
  // conversations/contacts.ts): one conditional UPDATE, only while the
  // cached member list says "not yet", so later sends write nothing; done
  // before the fan-out so members may watch the sender once they see it.
  const participated =
    members.members.find((m) => m.userId === actor.userId)?.participated === true;
  await Promise.all([
    orUnavailable("dedup store", () =>
      deps.redis.set(key, JSON.stringify({ ...rec, stored: true }), "KEEPTTL"),
    ),
    participated ? undefined : markParticipated(deps, { conversationId, userId: actor.userId }),
  ]);
  void advanceOwnMarks(deps, { conversationId, userId: actor.userId, seq: rec.seq });
  // Replying reads the conversation: clear its notification on the sender's phones.
  deps.push
    .conversationRead({ userId: actor.userId, conversationId, readSeq: rec.seq })
    .catch((err: unknown) =>
      deps.logger.warn({ err, conversationId }, "could not enqueue the clear push"),
    );
  deps.events.toMembers(members, "message:new", toMessage(stored));
  return result;
}
