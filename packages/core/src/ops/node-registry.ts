// Which realtime nodes are alive, for the admin console's live ops: every
// node keeps a key `node:{nodeId}` (its metrics URL, start time) alive while it
// runs and is listed in the `nodes` set; the console reads the live ones and
// scrapes their /metrics.
import type { Redis } from "ioredis";
import type { Logger } from "../logger";
import type { RedisKeys } from "../redis-keys";

export interface TRealtimeNode {
  nodeId: string;
  /** Base URL where this node answers /metrics and /healthz (inside the deployment). */
  url: string;
  startedAt: string;
}

const HEARTBEAT_MS = 5_000;
const TTL_MS = 15_000;

/** Announces this node until the returned stop() (called on shutdown). */
export function announceRealtimeNode(
  deps: { redis: Redis; keys: RedisKeys; logger: Logger },
  node: TRealtimeNode,
): () => Promise<void> {
  const key = deps.keys.node(node.nodeId);
  const beat = () =>
    deps.redis
      .multi()
      .set(key, JSON.stringify(node), "PX", TTL_MS)
      .sadd(deps.keys.nodes(), node.nodeId)
      .exec()
      .catch((err: unknown) => deps.logger.warn({ err }, "node registry: heartbeat failed"));
  void beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await deps.redis
      .multi()
      .del(key)
      .srem(deps.keys.nodes(), node.nodeId)
      .exec()
      .catch(() => undefined);
  };
}

/** The nodes alive now (entries whose heartbeat stopped are dropped from the set). */
export async function listRealtimeNodes(deps: {
  redis: Redis;
  keys: RedisKeys;
}): Promise<TRealtimeNode[]> {
  const ids = (await deps.redis.smembers(deps.keys.nodes())).sort();
  if (!ids.length) return [];
  const raw = await deps.redis.mget(ids.map((id) => deps.keys.node(id)));
  const gone = ids.filter((_, i) => raw[i] == null);
  if (gone.length) await deps.redis.srem(deps.keys.nodes(), ...gone);
  return raw.filter((r): r is string => r != null).map((r) => JSON.parse(r) as TRealtimeNode);
}
