// Tells connected clients that something about a conversation changed, from
// any process (web, admin) through the Socket.IO Redis adapter's channels:
// `conversation:updated {conversationId, reason}` to the `user:<id>` room of
// each affected user, so every device of theirs on every realtime node
// refetches. Best effort: the change is already committed when we notify, so
// a Redis hiccup is reported to `onError` and never fails the request.
import { Emitter } from "@socket.io/redis-emitter";
import type { ServerToClientEvents } from "@relay/shared/events";
import type { TConversationUpdatedEvent } from "@relay/shared/schemas";
import type { Redis } from "ioredis";
import { redisKeys } from "./redis-keys";

/** The room every socket of a user joins (apps/realtime). */
export const userRoom = (userId: string) => `user:${userId}`;

export interface RealtimeNotifier {
  /** Emits `conversation:updated` once to the user rooms of `userIds` (deduplicated). */
  conversationUpdated(userIds: readonly string[], event: TConversationUpdatedEvent): void;
}

export interface RealtimeNotifierOptions {
  /** Called when publishing fails; default: console.warn without payload. */
  onError?: (err: unknown) => void;
}

/** A notifier publishing through the Redis adapter key `redisKeys(prefix).adapter()`. */
export function createRealtimeNotifier(
  redis: Redis,
  redisPrefix: string,
  opts: RealtimeNotifierOptions = {},
): RealtimeNotifier {
  const onError =
    opts.onError ??
    ((err: unknown) =>
      console.warn("[relay] realtime notify failed:", err instanceof Error ? err.message : err));
  // The emitter ignores publish()'s promise; hand it a client whose failures are caught.
  const publisher = {
    publish(channel: string, message: string | Buffer): Promise<number | void> {
      return redis.publish(channel, message).catch(onError);
    },
  };
  const emitter = new Emitter<ServerToClientEvents>(publisher, {
    key: redisKeys(redisPrefix).adapter(),
  });
  return {
    conversationUpdated(userIds, event) {
      const rooms = [...new Set(userIds)].map(userRoom);
      if (rooms.length === 0) return;
      try {
        emitter.to(rooms).emit("conversation:updated", event);
      } catch (err) {
        onError(err);
      }
    },
  };
}

/** A notifier that records instead of publishing, for unit tests of callers. */
export function createRecordingNotifier(): RealtimeNotifier & {
  events: Array<{ userIds: string[]; event: TConversationUpdatedEvent }>;
} {
  const events: Array<{ userIds: string[]; event: TConversationUpdatedEvent }> = [];
  return {
    events,
    conversationUpdated(userIds, event) {
      events.push({ userIds: [...new Set(userIds)], event });
    },
  };
}
