// Per-conversation message sequence numbers from a Redis counter.
//
// The counter is only a cache of "the highest seq handed out": when Redis
// loses it (flush, restart without persistence, failover) the next reservation
// re-seeds it from the highest seq stored in Cassandra. Sends may be in flight
// with seqs above that (reserved, not yet written), so a re-seed of a
// conversation that has messages skips ahead by SEQ_RECOVERY_MARGIN: a gap of
// never-acknowledged seqs is allowed, a duplicate seq never is.
import type { Redis } from "ioredis";
import type { MessageRepository } from "@relay/messages/runtime";
import type { RedisKeys } from "../redis-keys";

export const SEQ_RECOVERY_MARGIN = 100;

const INCR_IF_EXISTS = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCR', KEYS[1]) else return false end`;

interface SeqCommands {
  /** INCR the counter if it exists; null when Redis has lost it. */
  relaySeqIncrIfExists(key: string): Promise<number | null>;
}

/** Registers the script once per client (EVALSHA; ioredis re-sends the body after a Redis restart). */
function withSeqCommands(redis: Redis): Redis & SeqCommands {
  const r = redis as Redis & Partial<SeqCommands>;
  if (typeof r.relaySeqIncrIfExists !== "function")
    redis.defineCommand("relaySeqIncrIfExists", { numberOfKeys: 1, lua: INCR_IF_EXISTS });
  return redis as Redis & SeqCommands;
}

export interface SequencerDeps {
  redis: Redis;
  keys: RedisKeys;
  messages: Pick<MessageRepository, "maxSeq">;
}

export function createSequencer(deps: SequencerDeps) {
  const redis = withSeqCommands(deps.redis);
  return {
    /** Reserve the next seq of a conversation. */
    async next(conversationId: string): Promise<number> {
      const key = deps.keys.seq(conversationId);
      const fast = await redis.relaySeqIncrIfExists(key);
      if (fast !== null) return fast;
      const stored = await deps.messages.maxSeq(conversationId);
      const base = stored === 0 ? 0 : stored + SEQ_RECOVERY_MARGIN;
      await redis.set(key, base, "NX"); // the first node to re-seed wins; others just INCR
      return redis.incr(key);
    },
    /** Highest seq handed out so far (0 if none), without reserving. */
    async current(conversationId: string): Promise<number> {
      const v = await redis.get(deps.keys.seq(conversationId));
      return v === null ? deps.messages.maxSeq(conversationId) : Number(v);
    },
  };
}

export type Sequencer = ReturnType<typeof createSequencer>;
