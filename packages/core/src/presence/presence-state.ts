// Presence as stored in Redis: key names and the pure rules that turn a
// user's hash into a status. The one copy: apps/realtime writes presence (its
// Lua script applies the same rule atomically, docs/presence.md) and the push
// worker reads it to decide who has no live socket. `readPresence` is the one
// read that is not pure (a pipelined HGETALL + lease EXISTS).
import type { Redis } from "ioredis";
import type { TPresence, TPresenceStatus, TSettablePresenceStatus } from "@relay/shared/schemas";

/**
 * Presence keys, with REDIS_PREFIX like ../redis-keys.ts.
 * An "instance" is one incarnation of a node (`<nodeId>#<random>`); a node
 * takes a new one whenever its registration in Redis may have been lost.
 */
export function presenceKeys(prefix: string) {
  const lease = `${prefix}presence:node:`;
  return {
    /** Lease of an instance (value: last refresh ms, PX = lease TTL). Its users are connected while it exists. */
    lease: (instance: string) => `${lease}${instance}`,
    /** `lease(instance)` is `leasePrefix + instance` (the Lua script builds lease keys itself). */
    leasePrefix: lease,
    /** Sorted set instance → last lease refresh (ms): which instances exist, for the reaper. */
    instances: `${prefix}presence:instances`,
    /** Set of `userId|socketId` an instance registered, for the reaper and the drain. */
    conns: (instance: string) => `${prefix}presence:conns:${instance}`,
    /**
     * Hash of a user: `<instance>|<socketId>` → online|away, plus `_s` (published
     * status), `_at` (when `_s` last changed, ms) and `_seen` (last seen ms).
     */
    user: (userId: string) => `${prefix}presence:user:{${userId}}`,
    /** Claimed by the one node that reaps a dead instance. */
    reapLock: (instance: string) => `${prefix}presence:reap:${instance}`,
    /** Throttle of Postgres User.lastSeenAt writes per user. */
    lastSeenWrite: (userId: string) => `${prefix}presence:pgseen:{${userId}}`,
    /** Pub/sub channel of status changes (`userId|status|lastSeenMs`), published by the Lua script. */
    channel: `${prefix}presence:events`,
  };
}

export type PresenceKeys = ReturnType<typeof presenceKeys>;

export const PRESENCE_FIELD_SEP = "|";

/** Hash field of one connection: `<instance>|<socketId>`. */
export const connField = (instance: string, socketId: string) =>
  `${instance}${PRESENCE_FIELD_SEP}${socketId}`;

/** The user hash's bookkeeping fields (the rest are connections). */
export const META_FIELDS: ReadonlySet<string> = new Set(["_s", "_seen", "_at"]);

/** The instance of a connection field, or null for a bookkeeping field. */
export function fieldInstance(field: string): string | null {
  if (META_FIELDS.has(field)) return null;
  const i = field.lastIndexOf(PRESENCE_FIELD_SEP);
  return i > 0 ? field.slice(0, i) : null;
}

export interface TConn {
  instance: string;
  status: TSettablePresenceStatus;
}

/**
 * A user's status from their connections: online if any live connection is
 * online, away if every live connection is away, offline with none. A
 * connection is live while its instance's lease exists.
 */
export function computeStatus(
  conns: readonly TConn[],
  isLive: (instance: string) => boolean,
): TPresenceStatus {
  let away = false;
  for (const c of conns) {
    if (!isLive(c.instance)) continue;
    if (c.status === "online") return "online";
    away = true;
  }
  return away ? "away" : "offline";
}

/** The connections recorded in a user hash (bookkeeping fields skipped; unknown values count as online). */
export function connsFromHash(hash: Record<string, string>): TConn[] {
  const out: TConn[] = [];
  for (const [field, value] of Object.entries(hash)) {
    const instance = fieldInstance(field);
    if (instance) out.push({ instance, status: value === "away" ? "away" : "online" });
  }
  return out;
}

export interface TInstanceState {
  live: boolean;
  /** Last lease refresh (ms), from the instances set; null when unknown. */
  lastRefreshMs: number | null;
}

/**
 * A user's presence for a `presence:watch` snapshot. Offline users get the
 * latest of: the last seen time in Redis, the last lease refresh of a dead
 * instance still listed in their hash (not reaped yet), and Postgres.
 */
export function snapshotFromHash(
  userId: string,
  hash: Record<string, string>,
  instances: ReadonlyMap<string, TInstanceState>,
  postgresLastSeen: Date | null,
): TPresence {
  const conns = connsFromHash(hash);
  const status = computeStatus(conns, (i) => instances.get(i)?.live ?? false);
  if (status !== "offline") return { userId, status, lastSeenAt: null };
  const candidates: number[] = [];
  const seen = Number(hash._seen);
  if (hash._seen && Number.isFinite(seen)) candidates.push(seen);
  for (const c of conns) {
    const at = instances.get(c.instance)?.lastRefreshMs;
    if (at != null) candidates.push(at);
  }
  if (postgresLastSeen) candidates.push(postgresLastSeen.getTime());
  const latest = candidates.length ? Math.max(...candidates) : null;
  return { userId, status, lastSeenAt: latest === null ? null : new Date(latest).toISOString() };
}

/** What the push trigger needs to know of a user: the status and since when (ms; null when unknown). */
export interface TPresenceState {
  status: TPresenceStatus;
  sinceMs: number | null;
}

/**
 * The status (live leases only) and, for "away", since when: `_at` is the
 * time of the last published change. A hash written before `_at` existed, or
 * one whose published status lags (a dead instance not reaped yet), has no
 * trustworthy time: null, which callers treat as "just now".
 */
export function presenceStateFromHash(
  hash: Record<string, string>,
  isLive: (instance: string) => boolean,
): TPresenceState {
  const status = computeStatus(connsFromHash(hash), isLive);
  const at = Number(hash._at);
  const sinceMs = hash._s === status && hash._at && Number.isFinite(at) ? at : null;
  return { status, sinceMs };
}

/** Current presence of users from Redis (two pipelined round trips whatever their number). */
export async function readPresence(
  redis: Redis,
  redisPrefix: string,
  userIds: readonly string[],
): Promise<Map<string, TPresenceState>> {
  const out = new Map<string, TPresenceState>();
  if (!userIds.length) return out;
  const keys = presenceKeys(redisPrefix);
  const p = redis.pipeline();
  for (const id of userIds) p.hgetall(keys.user(id));
  const hashes = ((await p.exec()) ?? []).map(([err, value]) => {
    if (err) throw err;
    return value as Record<string, string>;
  });
  const instances = [...new Set(hashes.flatMap((h) => Object.keys(h).map(fieldInstance)))].filter(
    (i): i is string => i !== null,
  );
  const live = new Set<string>();
  if (instances.length) {
    const q = redis.pipeline();
    for (const i of instances) q.exists(keys.lease(i));
    const res = (await q.exec()) ?? [];
    res.forEach(([err, value], n) => {
      if (err) throw err;
      if (value === 1) live.add(instances[n]!);
    });
  }
  userIds.forEach((id, n) =>
    out.set(
      id,
      presenceStateFromHash(hashes[n] ?? {}, (i) => live.has(i)),
    ),
  );
  return out;
}
