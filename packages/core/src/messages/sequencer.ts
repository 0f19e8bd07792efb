// Per-conversation message sequence numbers from a Redis counter, and the
// reservation a send makes: (dedup record, seq) in one Redis script.
//
// The counter is only a cache of "the highest seq handed out": when Redis
// loses it (flush, restart without persistence, failover) the next reservation
// re-seeds it from the highest seq stored in Cassandra. Sends may be in flight
// with seqs above that (reserved, not yet written), so a re-seed of a
// conversation that has messages skips ahead by SEQ_RECOVERY_MARGIN: a gap of
// never-acknowledged seqs is allowed, a duplicate seq never is (unread counts
// messages, not seq distance, so the gap costs nothing visible).
//
// Redis also says how long it has remembered a conversation's sends: the
// `dedupSince` key is set (NX) by the first reservation after Redis started
// empty (0 for a conversation with nothing stored yet) and disappears with
// everything else when Redis loses its data. While
// it is younger than the retry window, a missing dedup record may mean
// "forgotten", not "new", and the caller asks the durable store
// (messages_by_client_msg) before reserving; otherwise no extra read.
import type { Redis } from "ioredis";
import type { MessageRepository } from "@relay/messages/runtime";
import { LIMITS } from "@relay/shared/limits";
import type { RedisKeys } from "../redis-keys";

export const SEQ_RECOVERY_MARGIN = 100;

/** What a send reserved (and, once `stored`, wrote) for one clientMsgId. */
export interface TSendRecord {
  messageId: string;
  seq: number;
  createdAt: string;
  stored: boolean;
}

export type TReservation =
  /** Redis has this clientMsgId's record (a retry). */
  | { kind: "existing"; record: TSendRecord }
  /** New seq reserved and recorded. */
  | { kind: "reserved"; record: TSendRecord }
  /** Redis may have forgotten this send: look in the durable store, then call again with `checked`. */
  | { kind: "check" };

// KEYS: dedup record, dedupSince, seq counter (one {conversation} hash slot).
// ARGV: now ms, retry window ms, candidate messageId, createdAt ISO,
//       record TTL s, "checked" when the durable store was already asked.
// → {"existing", json} | {"check"} | {"seed"} | {"reserved", json}
const RESERVE = `
local rec = redis.call('GET', KEYS[1])
if rec then return {'existing', rec} end
if redis.call('EXISTS', KEYS[3]) == 0 then return {'seed'} end
local since = redis.call('SET', KEYS[2], ARGV[1], 'NX', 'GET')
if ARGV[6] ~= 'checked' and ((not since) or tonumber(ARGV[1]) - tonumber(since) < tonumber(ARGV[2])) then
  return {'check'}
end
local seq = redis.call('INCR', KEYS[3])
rec = cjson.encode({messageId = ARGV[3], seq = seq, createdAt = ARGV[4], stored = false})
redis.call('SET', KEYS[1], rec, 'EX', ARGV[5])
return {'reserved', rec}
`;

interface SeqCommands {
  relayReserve(
    dedupKey: string,
    sinceKey: string,
    seqKey: string,
    ...argv: string[]
  ): Promise<[string, string?]>;
}

/** Registers the scripts once per client (EVALSHA; ioredis re-sends the body after a Redis restart). */
function withSeqCommands(redis: Redis): Redis & SeqCommands {
  const r = redis as Redis & Partial<SeqCommands>;
  if (typeof r.relayReserve !== "function")
    redis.defineCommand("relayReserve", { numberOfKeys: 3, lua: RESERVE });
  return redis as Redis & SeqCommands;
}

export interface SequencerDeps {
  redis: Redis;
  keys: RedisKeys;
  messages: Pick<MessageRepository, "maxSeq">;
  /** Clock (tests); default Date.now. */
  now?: () => number;
}

export function createSequencer(deps: SequencerDeps) {
  const redis = withSeqCommands(deps.redis);
  const now = deps.now ?? Date.now;

  /**
   * Re-seed a lost counter from Cassandra (the first node to do it wins). A
   * conversation with nothing stored has no send to forget: Redis is trusted
   * from the start (dedupSince 0), so new conversations never pay the check.
   */
  async function seed(conversationId: string): Promise<void> {
    const stored = await deps.messages.maxSeq(conversationId);
    const base = stored === 0 ? 0 : stored + SEQ_RECOVERY_MARGIN;
    await redis.set(deps.keys.seq(conversationId), base, "NX");
    if (stored === 0) await redis.set(deps.keys.dedupSince(conversationId), 0, "NX");
  }

  return {
    /**
     * The send's reservation for `clientMsgId`: its existing record, or a
     * new seq and message id recorded atomically (one round trip in the
     * steady state), or "check" while Redis may have forgotten sends.
     */
    async reserve(input: {
      conversationId: string;
      senderId: string;
      clientMsgId: string;
      messageId: string;
      checked: boolean;
    }): Promise<TReservation> {
      const { conversationId } = input;
      const at = now();
      const call = () =>
        redis.relayReserve(
          deps.keys.dedup(conversationId, input.senderId, input.clientMsgId),
          deps.keys.dedupSince(conversationId),
          deps.keys.seq(conversationId),
          String(at),
          String(LIMITS.dedupTtlSeconds * 1000),
          input.messageId,
          new Date(at).toISOString(),
          String(LIMITS.dedupTtlSeconds),
          input.checked ? "checked" : "",
        );
      let [kind, json] = await call();
      if (kind === "seed") {
        await seed(conversationId);
        [kind, json] = await call();
      }
      if (kind === "check") return { kind };
      if ((kind === "existing" || kind === "reserved") && json)
        return { kind, record: JSON.parse(json) as TSendRecord };
      throw new Error(`unexpected reservation answer ${kind}`);
    },

    /** Record a send found in the durable store (Redis had forgotten it). */
    async remember(
      input: { conversationId: string; senderId: string; clientMsgId: string },
      record: TSendRecord,
    ): Promise<void> {
      await redis.set(
        deps.keys.dedup(input.conversationId, input.senderId, input.clientMsgId),
        JSON.stringify(record),
        "EX",
        LIMITS.dedupTtlSeconds,
        "NX",
      );
    },

    /** Mark a reservation stored (its message is in Cassandra, its push job queued). */
    async markStored(
      input: { conversationId: string; senderId: string; clientMsgId: string },
      record: TSendRecord,
    ): Promise<void> {
      await redis.set(
        deps.keys.dedup(input.conversationId, input.senderId, input.clientMsgId),
        JSON.stringify({ ...record, stored: true }),
        "KEEPTTL",
      );
    },

    /** Highest seq handed out so far (0 if none), without reserving. */
    async current(conversationId: string): Promise<number> {
      const v = await redis.get(deps.keys.seq(conversationId));
      return v === null ? deps.messages.maxSeq(conversationId) : Number(v);
    },
  };
}

export type Sequencer = ReturnType<typeof createSequencer>;
