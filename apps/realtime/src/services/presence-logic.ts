// Presence: the pure decisions (no I/O), unit-tested in
// test/presence-logic.test.ts. The key names and the status/snapshot rules
// live in @relay/core (presence/presence-state.ts: one copy, also read by the
// push worker) and are re-exported here. The Lua script in presence-scripts.ts
// applies the same status rule atomically; docs/presence.md describes the design.
import { connField, PRESENCE_FIELD_SEP } from "@relay/core";
import type { TPresence } from "@relay/shared/schemas";
import type { TRealtimeEnv } from "../env";

export {
  computeStatus,
  connField,
  connsFromHash,
  fieldInstance,
  META_FIELDS,
  presenceKeys,
  snapshotFromHash,
  type PresenceKeys,
  type TConn,
  type TInstanceState,
  // Socket.IO room of a user's watchers: defined in core, which also makes
  // sockets leave it when a watch is revoked (conversations/contacts.ts).
  presenceRoom,
  PRESENCE_ROOM_PREFIX,
} from "@relay/core";

const SEP = PRESENCE_FIELD_SEP;

/** Member of an instance's connection set: `<userId>|<socketId>`. */
export const connMember = (userId: string, socketId: string) => `${userId}${SEP}${socketId}`;

/** An instance id: the node id (made safe for the field separator) plus a random incarnation. */
export function instanceIdFor(nodeId: string, random: string): string {
  return `${nodeId.replaceAll(SEP, "_")}#${random}`;
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
