// RelayEvents for processes that are not realtime nodes (web, admin, workers):
// `@socket.io/redis-emitter` publishes on the Socket.IO Redis adapter's
// channel (`redisKeys(prefix).adapter()`), which every realtime node
// subscribes to, so the emit reaches the right sockets on every node.
import { Emitter } from "@socket.io/redis-emitter";
import type { Redis } from "ioredis";
import { redisKeys } from "../redis-keys";
import { createRelayEvents, type RelayEvents } from "./port";

export function createEmitterEvents(
  redis: Redis,
  redisPrefix: string,
  onError: (err: unknown, event: string) => void,
): RelayEvents {
  // The emitter ignores publish()'s promise; hand it a client whose failures are reported.
  const publisher = {
    publish(channel: string, message: string | Buffer): Promise<number | void> {
      return redis.publish(channel, message).catch((err: unknown) => onError(err, "publish"));
    },
  };
  const emitter = new Emitter(publisher, { key: redisKeys(redisPrefix).adapter() });
  return createRelayEvents(emitter, onError);
}
