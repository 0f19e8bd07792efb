// Per-conversation message sequence numbers from a Redis counter.
//
// The counter is only a cache of "the highest seq handed out": when Redis
// loses it (flush, restart without persistence, failover) the next reservation
// re-seeds it from the highest seq stored in Cassandra. Sends may be in flight
// with seqs above that (reserved, not yet written), so a re-seed of a
// conversation that has messages skips ahead by SEQ_RECOVERY_MARGIN: a gap of
// never-acknowledged seqs is allowed, a duplicate seq never is.
import type { RedisKeys } from "@relay/core/redis-keys";
import type { MessageRepository } from "@relay/messages";
import type { Redis } from "ioredis";

export const SEQ_RECOVERY_MARGIN = 100;

const INCR_IF_EXISTS = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCR', KEYS[1]) else return false end`;

export function createSequencer(deps: {
  redis: Redis;
  keys: RedisKeys;
  messages: MessageRepository;
}) {
  return {
    /** Reserve the next seq of a conversation. */
    async next(conversationId: string): Promise<number> {
      const key = deps.keys.seq(conversationId);
      const fast = (await deps.redis.eval(INCR_IF_EXISTS, 1, key)) as number | null;
      if (fast !== null) return fast;
      const stored = await deps.messages.maxSeq(conversationId);
      const base = stored === 0 ? 0 : stored + SEQ_RECOVERY_MARGIN;
      await deps.redis.set(key, base, "NX"); // the first node to re-seed wins; others just INCR
      return deps.redis.incr(key);
    },
    /** Highest seq handed out so far (0 if none), without reserving. */
    async current(conversationId: string): Promise<number> {
      const v = await deps.redis.get(deps.keys.seq(conversationId));
      return v === null ? deps.messages.maxSeq(conversationId) : Number(v);
    },
  };
}

export type Sequencer = ReturnType<typeof createSequencer>;
