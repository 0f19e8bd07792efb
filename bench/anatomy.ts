// "Where the time goes": each store operation of Relay's send path, run alone,
// one at a time (closed loop, no concurrency) against the same test stores the
// realtime nodes use, through the same modules they use. The sum of the
// awaited steps is the floor of an unloaded ack; the rest is transport and
// queueing. Bounded: WARMUP + ITERATIONS calls per operation, and a time cap.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { newHistogram, summarize, type TLatencySummary } from "./stats";
import { openBenchStores } from "./stores";

export interface TAnatomyOp {
  op: string;
  /** What the op is in Relay's send path. */
  role: string;
  /** true when the ack waits for it. */
  onAckPath: boolean;
  latency: TLatencySummary;
}

const WARMUP = 30;
const ITERATIONS = 300;
const OP_TIME_CAP_MS = 8_000;

export async function measureAnatomy(sample: {
  conversationId: string;
  userId: string;
}): Promise<TAnatomyOp[]> {
  // The send limiter's own library and script, with a rule so large that every call is allowed.
  const stores = openBenchStores({}, { rateLimits: { send: { points: 1e9 } } });
  const { redis, cassandra, keys, messages, membership, sequencer, limits } = stores;
  // A conversation of its own for seq/insert so it never collides with the load.
  const anatomyConversation = randomUUID();
  const body = "x".repeat(100);
  const results: TAnatomyOp[] = [];

  async function op(
    name: string,
    role: string,
    onAckPath: boolean,
    fn: (i: number) => Promise<unknown>,
  ) {
    for (let i = 0; i < WARMUP; i++) await fn(-1 - i);
    const h = newHistogram();
    const deadline = performance.now() + OP_TIME_CAP_MS;
    for (let i = 0; i < ITERATIONS && performance.now() < deadline; i++) {
      const t = performance.now();
      await fn(i);
      h.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    }
    results.push({ op: name, role, onAckPath, latency: summarize(h) });
    h.destroy();
  }

  try {
    await cassandra.connect();
    await membership.get(sample.conversationId); // fill the cache like a node would
    await op("members cache GET", "authorize: cached member list (GET + JSON.parse)", true, () =>
      membership.get(sample.conversationId),
    );
    await op(
      "rate-limit EVALSHA",
      "per-user send limit (rate-limiter-flexible, RateLimiterRedis: INCR + PEXPIRE script)",
      true,
      () => limits.take("send", `bench-anatomy-${anatomyConversation}`),
    );
    const seqs: number[] = [];
    const sendKeys: Array<{ conversationId: string; senderId: string; clientMsgId: string }> = [];
    await op(
      "reserve EVALSHA",
      "dedup lookup + next seq + reservation record for a new clientMsgId (one Lua script)",
      true,
      async (i) => {
        const key = (sendKeys[i + WARMUP] = {
          conversationId: anatomyConversation,
          senderId: sample.userId,
          clientMsgId: `a${i}-${randomUUID()}`,
        });
        const r = await sequencer.reserve({ ...key, messageId: randomUUID(), checked: true });
        if (r.kind !== "check") seqs[i + WARMUP] = r.record.seq;
      },
    );
    await op(
      "Cassandra UNLOGGED BATCH (4 rows) at LOCAL_QUORUM",
      "persist: messages + messages_by_id + conversation_heads + messages_by_client_msg",
      true,
      (i) =>
        messages.insert({
          id: randomUUID(),
          conversationId: anatomyConversation,
          seq: seqs[i + WARMUP] ?? i + WARMUP + 1,
          senderId: sample.userId,
          clientMsgId: sendKeys[i + WARMUP]?.clientMsgId ?? `a${i}`,
          body,
          kind: "text",
          createdAt: new Date(),
          editedAt: null,
          deleted: false,
        }),
    );
    await op("dedup SET KEEPTTL", "mark the reservation stored", true, async (i) => {
      const key = sendKeys[i + WARMUP];
      if (key)
        await sequencer.markStored(key, {
          messageId: randomUUID(),
          seq: seqs[i + WARMUP] ?? 1,
          createdAt: new Date().toISOString(),
          stored: false,
        });
    });
    await op(
      "Postgres UPDATE Membership",
      "sender's read/delivered marks: off the send path, coalesced to one UPDATE per node per second (this is one flush)",
      false,
      () => {
        stores.ownMarks.advance({ ...sample, seq: 1 });
        return stores.ownMarks.flush();
      },
    );
    const packet = "x".repeat(420); // ~ the adapter's encoded message:new
    await op(
      "Redis PUBLISH (adapter)",
      "fan-out through the Redis adapter (delivery path, after the ack is queued)",
      false,
      () => redis.publish(`${keys.adapter()}-bench-anatomy#/#`, packet),
    );
    // Tidy the keys this wrote (dedup records have a TTL anyway).
    const toDelete = [
      ...sendKeys
        .filter(Boolean)
        .map((k) => keys.dedup(k.conversationId, k.senderId, k.clientMsgId)),
      keys.seq(anatomyConversation),
      keys.dedupSince(anatomyConversation),
      `${keys.rateLimit("send")}:bench-anatomy-${anatomyConversation}`,
    ];
    for (let i = 0; i < toDelete.length; i += 500) await redis.del(...toDelete.slice(i, i + 500));
  } finally {
    await stores.close();
  }
  return results;
}
