// The message path: send (validate → authorize → rate-limit → dedup → seq →
// Cassandra → ack), history, edit, delete. Transport-free: handlers call it
// and do the broadcasting with what it returns.
import { randomUUID } from "node:crypto";
import type { MembershipReader, TConversationMembers } from "@relay/core/membership";
import type { RedisKeys } from "@relay/core/redis-keys";
import type { PrismaClient } from "@relay/db";
import type { MessageRepository, StoredMessage } from "@relay/messages";
import { AppError } from "@relay/shared/errors";
import type { SocketData } from "@relay/shared/events";
import { LIMITS } from "@relay/shared/limits";
import type {
  TMessage,
  TMessageDeletedEvent,
  TMessageDeletePayload,
  TMessageEditPayload,
  TMessageHistoryPayload,
  TMessageHistoryResult,
  TMessageSendPayload,
  TMessageSendResult,
} from "@relay/shared/schemas";
import type { Redis } from "ioredis";
import type { Logger } from "../logger";
import { requireMember } from "./access";
import type { RateLimiter } from "./rate-limiter";
import type { Sequencer } from "./sequencer";
import { orUnavailable } from "./unavailable";
import { toMessage } from "@relay/core/wire";

/** What a send reserved (and, once `stored`, wrote) for one clientMsgId. */
interface TSendRecord {
  messageId: string;
  seq: number;
  createdAt: string;
  stored: boolean;
}

export interface MessageServiceDeps {
  db: PrismaClient;
  redis: Redis;
  keys: RedisKeys;
  messages: MessageRepository;
  membership: MembershipReader;
  sequencer: Sequencer;
  sendLimiter: RateLimiter;
  logger: Logger;
}

export interface TSendOutcome {
  result: TMessageSendResult;
  /** Set when this call stored the message: broadcast it. Unset for a retry of an already-acknowledged send. */
  fanout?: { message: TMessage; members: TConversationMembers };
}

export function createMessageService(deps: MessageServiceDeps) {
  const { redis, keys, messages } = deps;

  async function readRecord(key: string): Promise<TSendRecord | null> {
    const raw = await redis.get(key);
    return raw ? (JSON.parse(raw) as TSendRecord) : null;
  }

  /** Reserve (or find) the seq and id of this clientMsgId. */
  async function reserve(conversationId: string, key: string): Promise<TSendRecord> {
    const existing = await readRecord(key);
    if (existing) return existing;
    const candidate: TSendRecord = {
      messageId: randomUUID(),
      seq: await deps.sequencer.next(conversationId),
      createdAt: new Date().toISOString(),
      stored: false,
    };
    const won = await redis.set(key, JSON.stringify(candidate), "EX", LIMITS.dedupTtlSeconds, "NX");
    if (won) return candidate;
    // A concurrent retry of the same clientMsgId reserved first: use its
    // reservation (ours becomes a never-acknowledged gap).
    const theirs = await readRecord(key);
    if (!theirs) throw new Error("dedup record vanished");
    return theirs;
  }

  /** Advance the sender's own read/delivered marks: your own message is read. */
  function markOwnRead(conversationId: string, userId: string, seq: number) {
    deps.db
      .$executeRaw`UPDATE "Membership" SET "lastReadSeq" = GREATEST("lastReadSeq", ${seq}), "lastDeliveredSeq" = GREATEST("lastDeliveredSeq", ${seq}) WHERE "conversationId" = ${conversationId}::uuid AND "userId" = ${userId}::uuid`.catch(
      (err: unknown) =>
        deps.logger.warn("could not advance sender read mark", { err, conversationId }),
    );
  }

  async function findOwnOrModerated(
    user: SocketData,
    conversationId: string,
    messageId: string,
  ): Promise<StoredMessage> {
    const found = await orUnavailable("message store", () =>
      messages.findById(conversationId, messageId),
    );
    if (!found || found.deleted) throw new AppError("NOT_FOUND", "no such message");
    if (found.senderId !== user.userId && user.role !== "ADMIN") {
      throw new AppError("FORBIDDEN", "only the sender or an admin can change this message");
    }
    return found;
  }

  return {
    async send(user: SocketData, p: TMessageSendPayload): Promise<TSendOutcome> {
      const members = await requireMember(deps.membership, p.conversationId, user.userId);
      const allowed = await orUnavailable("rate limiter", () =>
        deps.sendLimiter.take(keys.sendRate(user.userId)),
      );
      if (!allowed)
        throw new AppError(
          "RATE_LIMITED",
          `too many messages; at most ${LIMITS.sendRatePerSecond}/s`,
        );

      const key = keys.dedup(p.conversationId, user.userId, p.clientMsgId);
      const rec = await orUnavailable("sequencer", () => reserve(p.conversationId, key));
      const result = { messageId: rec.messageId, seq: rec.seq, createdAt: rec.createdAt };
      if (rec.stored) return { result };

      const stored: StoredMessage = {
        id: rec.messageId,
        conversationId: p.conversationId,
        seq: rec.seq,
        senderId: user.userId,
        clientMsgId: p.clientMsgId,
        body: p.body,
        kind: "text",
        createdAt: new Date(rec.createdAt),
        editedAt: null,
        deleted: false,
      };
      // Invariant 1: acknowledge only after Cassandra has the message.
      await orUnavailable("message store", () => messages.insert(stored));
      // If this fails the client retries; the re-insert of the same row is idempotent.
      await orUnavailable("dedup store", () =>
        redis.set(key, JSON.stringify({ ...rec, stored: true }), "KEEPTTL"),
      );
      markOwnRead(p.conversationId, user.userId, rec.seq);
      return { result, fanout: { message: toMessage(stored), members } };
    },

    async history(user: SocketData, p: TMessageHistoryPayload): Promise<TMessageHistoryResult> {
      await requireMember(deps.membership, p.conversationId, user.userId);
      const page = await orUnavailable("message store", () =>
        messages.page(p.conversationId, {
          ...(p.beforeSeq !== undefined ? { beforeSeq: p.beforeSeq } : {}),
          ...(p.afterSeq !== undefined ? { afterSeq: p.afterSeq } : {}),
          limit: p.limit ?? LIMITS.historyPageDefault,
        }),
      );
      return { messages: page.messages.map(toMessage), hasMore: page.hasMore };
    },

    async edit(
      user: SocketData,
      p: TMessageEditPayload,
    ): Promise<{ message: TMessage; members: TConversationMembers }> {
      const members = await requireMember(deps.membership, p.conversationId, user.userId);
      await findOwnOrModerated(user, p.conversationId, p.messageId);
      const updated = await orUnavailable("message store", () =>
        messages.edit(p.conversationId, p.messageId, p.body, new Date()),
      );
      if (!updated) throw new AppError("NOT_FOUND", "no such message");
      return { message: toMessage(updated), members };
    },

    async delete(
      user: SocketData,
      p: TMessageDeletePayload,
    ): Promise<{ event: TMessageDeletedEvent; members: TConversationMembers }> {
      const members = await requireMember(deps.membership, p.conversationId, user.userId);
      const found = await findOwnOrModerated(user, p.conversationId, p.messageId);
      await orUnavailable("message store", () =>
        messages.markDeleted(p.conversationId, p.messageId, new Date()),
      );
      return {
        event: { conversationId: p.conversationId, messageId: found.id, seq: found.seq },
        members,
      };
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
