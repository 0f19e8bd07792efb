// Presence: Redis key names and the pure decisions (no I/O), unit-tested in
// test/presence-logic.test.ts. The Lua script in presence-scripts.ts applies
// the same status rule atomically; docs/presence.md describes the design.
import type { TPresence, TPresenceStatus, TSettablePresenceStatus } from "@relay/shared/schemas";
import type { TRealtimeEnv } from "../env";

/**
 * Presence keys, with REDIS_PREFIX like packages/core/src/redis-keys.ts.
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
    /** Hash of a user: `<instance>|<socketId>` → online|away, plus `_s` (published status) and `_seen` (last seen ms). */
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

/** Socket.IO room of a user's watchers (local to each node; events reach every node through `channel`). */
export const presenceRoom = (userId: string) => `presence:${userId}`;
export const PRESENCE_ROOM_PREFIX = "presence:";

const SEP = "|";

/** Hash field of one connection: `<instance>|<socketId>`. */
export const connField = (instance: string, socketId: string) => `${instance}${SEP}${socketId}`;
/** Member of an instance's connection set: `<userId>|<socketId>`. */
export const connMember = (userId: string, socketId: string) => `${userId}${SEP}${socketId}`;

/** The user hash's bookkeeping fields (the rest are connections). */
export const META_FIELDS: ReadonlySet<string> = new Set(["_s", "_seen"]);

/** The instance of a connection field, or null for a bookkeeping field. */
export function fieldInstance(field: string): string | null {
  if (META_FIELDS.has(field)) return null;
  const i = field.lastIndexOf(SEP);
  return i > 0 ? field.slice(0, i) : null;
}

/** An instance id: the node id (made safe for the field separator) plus a random incarnation. */
export function instanceIdFor(nodeId: string, random: string): string {
  return `${nodeId.replaceAll(SEP, "_")}#${random}`;
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

export interface TRegisteredInstance {
  instance: string;
  lastRefreshMs: number;
}

/** `ZRANGE … WITHSCORES` reply → instances. */
export function parseInstances(reply: readonly string[]): TRegisteredInstance[] {
  const out: TRegisteredInstance[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2)
    out.push({ instance: reply[i]!, lastRefreshMs: Number(reply[i + 1]) });
  return out;
}

/** Instances whose lease is gone (the caller's own current instance is never reaped: it renews instead). */
export function findDeadInstances(
  registered: readonly TRegisteredInstance[],
  leaseExists: readonly boolean[],
  self: string | null,
): TRegisteredInstance[] {
  return registered.filter((r, i) => r.instance !== self && leaseExists[i] === false);
}

/** An instance's connection-set members → hash fields to remove, per user. */
export function groupConnsByUser(
  instance: string,
  members: readonly string[],
): Map<string, string[]> {
  const byUser = new Map<string, string[]>();
  for (const m of members) {
    const i = m.indexOf(SEP);
    if (i <= 0) continue;
    const userId = m.slice(0, i);
    const field = connField(instance, m.slice(i + 1));
    const list = byUser.get(userId);
    if (list) list.push(field);
    else byUser.set(userId, [field]);
  }
  return byUser;
}

/** A message on the presence channel (`userId|status|lastSeenMs`) → the `presence` event. */
export function parsePresenceMessage(message: string): TPresence | null {
  const [userId, status, seen] = message.split(SEP);
  if (!userId || (status !== "online" && status !== "away" && status !== "offline")) return null;
  const ms = Number(seen);
  return {
    userId,
    status,
    lastSeenAt:
      status === "offline" && seen && Number.isFinite(ms) ? new Date(ms).toISOString() : null,
  };
}

export interface TPresenceTimings {
  /** Lease TTL: how long a silent node's users still count as connected. */
  leaseTtlMs: number;
  /** How often a node renews its lease (at most half the TTL). */
  leaseRefreshMs: number;
  /** How often every node looks for expired leases. */
  reapIntervalMs: number;
  /** At most one Postgres lastSeenAt write per user per this window. */
  lastSeenWriteMs: number;
}

export const DEFAULT_PRESENCE_TIMINGS: TPresenceTimings = {
  leaseTtlMs: 30_000,
  leaseRefreshMs: 10_000,
  reapIntervalMs: 5_000,
  lastSeenWriteMs: 60_000,
};

export function presenceTimingsFromEnv(
  env: Pick<
    TRealtimeEnv,
    | "PRESENCE_LEASE_TTL_MS"
    | "PRESENCE_LEASE_REFRESH_MS"
    | "PRESENCE_REAP_INTERVAL_MS"
    | "PRESENCE_LAST_SEEN_WRITE_MS"
  >,
): TPresenceTimings {
  return {
    leaseTtlMs: env.PRESENCE_LEASE_TTL_MS,
    leaseRefreshMs: env.PRESENCE_LEASE_REFRESH_MS,
    reapIntervalMs: env.PRESENCE_REAP_INTERVAL_MS,
    lastSeenWriteMs: env.PRESENCE_LAST_SEEN_WRITE_MS,
  };
}

/**
 * Upper bound from a node's death to its users' offline event (reap work
 * itself aside): the lease was refreshed at most just before the death and
 * lives `leaseTtlMs`; a reaper notices within `reapIntervalMs` after that.
 */
export const offlineDetectionBoundMs = (t: TPresenceTimings) => t.leaseTtlMs + t.reapIntervalMs;

/**
 * Users whose snapshot must be replaced by an event that arrived while the
 * snapshot was read: such an event was already delivered to the watcher, so
 * the ack must not be older than it. (Events arriving after the ack are newer
 * than the snapshot and are delivered after it.)
 */
export function mergeSnapshot(
  snapshot: readonly TPresence[],
  arrivedDuringRead: ReadonlyMap<string, TPresence>,
): TPresence[] {
  return snapshot.map((p) => arrivedDuringRead.get(p.userId) ?? p);
}
