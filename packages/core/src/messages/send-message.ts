// message:send — validate (the transport did) → authorize (cached members) →
// rate-limit → reserve (dedup + seq, one Redis script) → Cassandra + push job
// → fan-out once to every member → ack.
//
// Invariants (design.md): acknowledged ⇒ durably in Cassandra (1); seqs
// strictly increasing and never reused, a retry reuses its reservation (2);
// a retried clientMsgId returns the original and stores nothing new (3) —
// also after Redis lost its data: the message row and its clientMsgId lookup
// (messages_by_client_msg) are one Cassandra batch, and a reservation asks
// that table while Redis may have forgotten sends (sequencer.ts), so
// idempotency never lives only in Redis.
//
// A stored message is never answered UNAVAILABLE: once Cassandra has it,
// what follows (marking the dedup record, the participant flag) is best
// effort, and the ack goes out. Delivery is at-least-once: a retry that
// finds the message stored fans it out again (the first attempt's node may
// have died before its fan-out left the process); clients drop duplicates
// by message id.
//
// Push: acknowledged ⇒ the message's push fan-out job is in the queue,
// except when Redis itself failed between the Cassandra write and the ack
// (then the queue is what failed; the warning says so). The job is added at
// the same time as the Cassandra write (the ack waits for the slower of the
// two, not their sum). The worker decides who is pushed.
import { randomUUID } from "node:crypto";
import type { StoredMessage } from "@relay/messages/runtime";
import type { TMessageSendPayload, TMessageSendResult } from "@relay/shared/schemas";
import { requireMember } from "../conversations/access";
import { markParticipated } from "../conversations/contacts";
import type { CoreDeps, TActor } from "../deps";
import { orUnavailable } from "../errors";
import type { TSendRecord } from "./sequencer";
import { toMessage } from "./wire";

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
  | "ownMarks"
  | "logger"
>;

/**
 * How long a stored send waits for its push job / its best-effort marks
 * before acknowledging without them (a Redis that is restarting holds
 * commands until it is back; the message is already durable).
 */
const PUSH_ENQUEUE_WAIT_MS = 2_000;
const BEST_EFFORT_WAIT_MS = 1_000;

/** `p`, or a rejection after `ms` (p keeps running; its late result is ignored). */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  p.catch(() => undefined); // a late failure is not unhandled
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

type TSendKey = { conversationId: string; senderId: string; clientMsgId: string };

/**
 * This clientMsgId's reservation: Redis's record, or the message the
 * durable store has for it (Redis forgot), or a new seq.
 */
async function reserve(
  deps: SendMessageDeps,
  key: TSendKey,
): Promise<{ record: TSendRecord; found?: StoredMessage }> {
  const messageId = randomUUID();
  const first = await deps.sequencer.reserve({ ...key, messageId, checked: false });
  if (first.kind !== "check") return first;
  const found = await deps.messages.findByClientMsgId(
    key.conversationId,
    key.senderId,
    key.clientMsgId,
  );
  if (found) {
    const record = {
      messageId: found.id,
      seq: found.seq,
      createdAt: found.createdAt.toISOString(),
      stored: false, // its push job may have gone with Redis: re-added (same job id)
    };
    await deps.sequencer.remember(key, record);
    return { record, found };
  }
  const again = await deps.sequencer.reserve({ ...key, messageId, checked: true });
  if (again.kind === "check") throw new Error("reservation asked for a second check");
  return again;
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
  // Membership and the rate limit are independent reads: one round trip's wait, not two.
  const [members] = await Promise.all([
    requireMember(deps.membership, conversationId, actor.userId),
    deps.limits.enforce("send", actor.userId),
  ]);

  const key = { conversationId, senderId: actor.userId, clientMsgId };
  const { record: rec, found } = await orUnavailable("sequencer", () => reserve(deps, key));
  const result = { messageId: rec.messageId, seq: rec.seq, createdAt: rec.createdAt };

  if (rec.stored) {
    // A retry of a stored send: nothing to write, but fan out again — the
    // node that stored it may have died before its fan-out left.
    const current = await orUnavailable("message store", () =>
      deps.messages.findById(conversationId, rec.messageId),
    );
    if (current) deps.events.toMembers(members, "message:new", toMessage(current));
    return result;
  }

  const stored: StoredMessage = found ?? {
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
  // Invariant 1: acknowledge only after Cassandra has the message (a row
  // found through its clientMsgId is there already). The push job is added
  // beside the write; a fan-out job that runs before the row lands waits
  // for it, one for a send that failed finds nothing and gives up.
  const [, queued] = await Promise.all([
    found ? undefined : orUnavailable("message store", () => deps.messages.insert(stored)),
    within(
      PUSH_ENQUEUE_WAIT_MS,
      deps.push.messageStored({
        messageId: rec.messageId,
        conversationId,
        seq: rec.seq,
        senderId: actor.userId,
      }),
    ).then(
      () => true as const,
      (err: unknown) => ({ err }),
    ),
  ]);
  // Stored from here on: never UNAVAILABLE. Without its push job the send
  // is not finished — the dedup record stays "not stored" so a retry re-adds
  // the job (same id) — but nothing the client could do would help: ack.
  if (queued !== true)
    deps.logger.warn(
      { err: queued.err, conversationId, messageId: rec.messageId },
      "message stored but its push job was not queued",
    );
  // A sender's first message in a conversation also makes them a participant
  // (who may be watched, see conversations/contacts.ts): one conditional
  // UPDATE, only while the cached member list says "not yet", so later sends
  // write nothing; done before the fan-out so members may watch the sender
  // once they see it. Best effort, as is the dedup mark: a retry after a lost
  // mark re-inserts the same row (idempotent) and fans out again.
  const participated =
    members.members.find((m) => m.userId === actor.userId)?.participated === true;
  const bestEffort = (what: string, p: Promise<unknown>) =>
    within(BEST_EFFORT_WAIT_MS, p).catch((err: unknown) =>
      deps.logger.warn({ err, conversationId, messageId: rec.messageId }, `${what} failed`),
    );
  await Promise.all([
    queued === true
      ? bestEffort("marking the send stored", deps.sequencer.markStored(key, rec))
      : undefined,
    participated
      ? undefined
      : bestEffort(
          "marking the sender a participant",
          markParticipated(deps, { conversationId, userId: actor.userId }),
        ),
  ]);
  deps.ownMarks.advance({ conversationId, userId: actor.userId, seq: rec.seq });
  // Replying reads the conversation: clear its notification on the sender's phones.
  deps.push
    .conversationRead({ userId: actor.userId, conversationId, readSeq: rec.seq })
    .catch((err: unknown) =>
      deps.logger.warn({ err, conversationId }, "could not enqueue the clear push"),
    );
  deps.events.toMembers(members, "message:new", toMessage(stored));
  return result;
}
