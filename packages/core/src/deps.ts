// The shape of what use cases run on. Every use case takes a `Pick` of
// CoreDeps (only what it touches) plus a typed input object, so the same
// function serves REST, sockets, the admin console and workers. `createStores`
// (stores.ts) builds one; a realtime node swaps in Socket.IO-backed `events`.
import type { Redis } from "ioredis";
import type { PrismaClient } from "@relay/db";
import type { MessageRepository } from "@relay/messages/runtime";
import type { TUserRole } from "@relay/shared/schemas";
import type { MembershipReader } from "./conversations/membership";
import type { RelayEvents } from "./events/port";
import type { Logger } from "./logger";
import type { Sequencer } from "./messages/sequencer";
import type { PushPort } from "./push/queue";
import type { RateLimits } from "./rate-limits";
import type { OwnMarks } from "./receipts/receipts";
import type { RedisKeys } from "./redis-keys";

export interface CoreDeps {
  db: PrismaClient;
  /** Commands: counters, dedup records, caches, rate limits. */
  redis: Redis;
  keys: RedisKeys;
  messages: MessageRepository;
  membership: MembershipReader;
  sequencer: Sequencer;
  limits: RateLimits;
  /** The outbound event port. */
  events: RelayEvents;
  /**
   * The push queue: `sendMessage` enqueues a message's fan-out before its ack,
   * `markReceipt` the silent "clear" of a read conversation (push/queue.ts).
   */
  push: PushPort;
  /** Senders' own read marks, coalesced off the send path (receipts/receipts.ts). */
  ownMarks: OwnMarks;
  logger: Logger;
}

/** Who is acting: the authenticated caller of a request or socket event. */
export interface TActor {
  userId: string;
  role: TUserRole;
}
