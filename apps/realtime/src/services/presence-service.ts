// Presence on one realtime node (docs/presence.md):
//
// - Liveness: Socket.IO's ping/pong ends dead connections; the node holds a
//   lease in Redis (one key, renewed every leaseRefreshMs) and its users count
//   as connected while the lease lives. No per-user heartbeats: Redis writes
//   happen on connect, disconnect, status change and lease renewal only.
// - Registration: each connection is a field `<instance>|<socketId>` → status
//   in its user's hash, plus a member of the instance's connection set. The
//   APPLY script changes a hash, recomputes the status and publishes it when it
//   changed, atomically.
// - Reaper (every node, every reapIntervalMs): an instance whose lease expired
//   is claimed by one node, which removes its connections; users left with no
//   live connection go offline with lastSeenAt = the instance's last renewal.
// - Repair: if the lease is missing at renewal (Redis restart/flush, or the
//   node stalled past its TTL) or a write failed, the node takes a new
//   instance id, re-registers every local socket under it and drops the old
//   lease (whatever is left of the old instance is reaped).
// - Fan-out: the script publishes on one channel; every node delivers a change
//   to its local sockets in room `presence:<userId>` (watchers only).
import { randomUUID } from "node:crypto";
import type { ChainableCommander, Redis } from "ioredis";
import {
  authorizePresenceWatch,
  lastSeenOf,
  orUnavailable,
  recordLastSeen,
  type CoreDeps,
  type Logger,
} from "@relay/core";
import type { TPresence, TSettablePresenceStatus } from "@relay/shared/schemas";
import {
  connField,
  connMember,
  fieldInstance,
  findDeadInstances,
  groupConnsByUser,
  instanceIdFor,
  mergeSnapshot,
  parseInstances,
  parsePresenceMessage,
  presenceKeys,
  snapshotFromHash,
  type TInstanceState,
  type TPresenceTimings,
  type TRegisteredInstance,
} from "./presence-logic";
import {
  definePresenceScripts,
  queueApply,
  runApply,
  type TApplyArgs,
  type TApplyReply,
} from "./presence-scripts";

export interface PresenceServiceDeps {
  /** Postgres is reached only through core (lastSeenAt, who may watch whom). */
  db: CoreDeps["db"];
  redis: Redis;
  redisPrefix: string;
  nodeId: string;
  timings: TPresenceTimings;
  logger: Logger;
  /** Hand a status change to this node's watchers of that user. */
  deliver(p: TPresence): void;
  /** Users watched by sockets on this node (re-sent after the event channel reconnects). */
  watchedUsers(): string[];
}

interface LocalConn {
  socketId: string;
  userId: string;
  status: TSettablePresenceStatus;
  /** Instances this socket is registered under: one, or two during a re-registration. */
  insts: Set<string>;
  gone: boolean;
  /** This socket's presence writes, in order. */
  chain: Promise<void>;
}

interface TOffline {
  userId: string;
  atMs: number;
}

/** A dead instance is claimed for this long by the node reaping it. */
const REAP_LOCK_MS = 60_000;
const REAP_BATCH = 500;
const DRAIN_TIMEOUT_MS = 5_000;

async function execOrThrow(p: ChainableCommander): Promise<unknown[]> {
  const res = await p.exec();
  if (!res) throw new Error("redis transaction aborted");
  return res.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createPresenceService(deps: PresenceServiceDeps) {
  const { db, logger, timings } = deps;
  const redis = definePresenceScripts(deps.redis);
  const keys = presenceKeys(deps.redisPrefix);
  const conns = new Map<string, LocalConn>();

  let current: string | null = null;
  let dirty = false;
  let stopped = false;
  let pending = 0;
  let rotation: Promise<void> | null = null;
  let reaping = false;
  let renewing = false;
  let timers: NodeJS.Timeout[] = [];
  let drained: Promise<void> | null = null;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));

  /** Events that arrived while a watch snapshot was being read (see mergeSnapshot). */
  const captures = new Set<{ ids: Set<string>; latest: Map<string, TPresence> }>();

  // ------------------------------------------------------------ event channel
  const sub = deps.redis.duplicate();
  sub.on("error", (err: Error) => logger.warn({ err }, "presence channel connection error"));
  let subscribedOnce = false;
  sub.on("ready", () => {
    if (subscribedOnce) setTimeout(() => void resyncWatchers(), 50);
    subscribedOnce = true;
  });
  sub.on("message", (channel: string, message: string) => {
    if (channel !== keys.channel) return;
    const p = parsePresenceMessage(message);
    if (!p) return;
    for (const c of captures) if (c.ids.has(p.userId)) c.latest.set(p.userId, p);
    deps.deliver(p);
  });

  /** After the channel was down, events may have been missed: send watchers the current state. */
  async function resyncWatchers() {
    if (stopped) return;
    try {
      const users = deps.watchedUsers();
      for (let i = 0; i < users.length; i += 200) {
        for (const p of await snapshot(users.slice(i, i + 200))) deps.deliver(p);
      }
    } catch (err) {
      logger.warn({ err }, "presence: could not re-send watched users after reconnect");
    }
  }

  // ----------------------------------------------------------- local writes
  const applyArgs = (
    userId: string,
    op: TApplyArgs["op"],
    args: string[],
    seenAtMs = Date.now(),
  ): TApplyArgs => ({
    userKey: keys.user(userId),
    leasePrefix: keys.leasePrefix,
    channel: keys.channel,
    userId,
    seenAtMs,
    self: current ?? "",
    op,
    args,
  });

  function noteReply(userId: string, reply: TApplyReply, offline: TOffline[]) {
    const [changed, status, seen, selfAlive] = reply;
    if (changed === 1 && status === "offline") offline.push({ userId, atMs: Number(seen) });
    if (selfAlive === 0 && !stopped && current) void rotate("own lease missing at write");
  }

  /** Run `op` after this socket's earlier writes; a failure marks the node for re-registration. */
  function enqueue(conn: LocalConn, op: () => Promise<void>): Promise<void> {
    pending++;
    const run = conn.chain.then(op);
    conn.chain = run
      .catch((err: unknown) => {
        dirty = true;
        logger.warn({ err }, "presence write failed; will re-register");
      })
      .finally(() => pending--);
    return run;
  }

  const registerOp = (conn: LocalConn) => async () => {
    const inst = current;
    if (stopped || conn.gone || !inst || conn.insts.has(inst)) return;
    const p = redis.pipeline();
    p.sadd(keys.conns(inst), connMember(conn.userId, conn.socketId));
    queueApply(p, applyArgs(conn.userId, "set", [connField(inst, conn.socketId), conn.status]));
    const [, reply] = await execOrThrow(p);
    conn.insts.add(inst);
    noteReply(conn.userId, reply as TApplyReply, []);
  };

  const statusOp = (conn: LocalConn) => async () => {
    if (stopped || conn.gone || conn.insts.size === 0) return;
    const args = [...conn.insts].flatMap((i) => [connField(i, conn.socketId), conn.status]);
    noteReply(conn.userId, await runApply(redis, applyArgs(conn.userId, "set", args)), []);
  };

  const unregisterOp = (conn: LocalConn) => async () => {
    if (stopped || conn.insts.size === 0) return;
    const insts = [...conn.insts];
    const p = redis.pipeline();
    queueApply(
      p,
      applyArgs(
        conn.userId,
        "del",
        insts.map((i) => connField(i, conn.socketId)),
      ),
    );
    for (const i of insts) p.srem(keys.conns(i), connMember(conn.userId, conn.socketId));
    const [reply] = await execOrThrow(p);
    conn.insts.clear();
    const offline: TOffline[] = [];
    noteReply(conn.userId, reply as TApplyReply, offline);
    await persistLastSeen(offline);
  };

  // ------------------------------------------------------------- the lease
  /** Take a new instance id, register every local socket under it, drop the old lease. */
  function rotate(reason: string): Promise<void> {
    if (rotation) return rotation;
    if (stopped) return Promise.resolve();
    rotation = (async () => {
      const old = current;
      const next = instanceIdFor(deps.nodeId, randomUUID().slice(0, 8));
      const now = Date.now();
      await execOrThrow(
        redis
          .multi()
          .set(keys.lease(next), now, "PX", timings.leaseTtlMs)
          .zadd(keys.instances, now, next),
      );
      current = next;
      dirty = false;
      if (old) logger.warn({ reason, old, next }, "presence: re-registering this node's sockets");
      await Promise.all(
        [...conns.values()].map((c) => enqueue(c, registerOp(c)).catch(() => undefined)),
      );
      if (dirty) return; // retried at the next renewal; the old lease then simply expires
      // Every earlier instance of this node (normally just `old`) is now dead:
      // dropping its lease lets the reaper remove the rest of it.
      const stale = new Set<string>(old ? [old] : []);
      for (const c of conns.values()) for (const i of c.insts) if (i !== next) stale.add(i);
      if (stale.size) {
        await redis.del(...[...stale].map((i) => keys.lease(i)));
        for (const c of conns.values()) for (const i of stale) c.insts.delete(i);
      }
      resolveReady();
    })()
      .catch((err: unknown) => {
        dirty = true;
        logger.warn({ reason, err }, "presence: could not register this node; retrying");
      })
      .finally(() => {
        rotation = null;
      });
    return rotation;
  }

  async function renew() {
    if (stopped || renewing || rotation) return;
    if (!current || dirty) return rotate(current ? "a presence write failed" : "start");
    renewing = true;
    try {
      const inst = current;
      const [renewed, size] = await redis.relayPresenceRenew(
        keys.lease(inst),
        keys.instances,
        keys.conns(inst),
        inst,
        Date.now(),
        timings.leaseTtlMs,
      );
      if (renewed !== 1) return void rotate("lease lost");
      // The connection set must match the sockets registered here (checked
      // only when no write is in flight): a mismatch means Redis lost writes.
      let registered = 0;
      for (const c of conns.values()) if (c.insts.has(inst)) registered++;
      if (pending === 0 && !rotation && current === inst && size !== registered)
        void rotate(`connection set has ${size} entries, node has ${registered} sockets`);
    } catch (err) {
      logger.warn({ err }, "presence: lease renewal failed");
    } finally {
      renewing = false;
    }
  }

  // ------------------------------------------------------------- the reaper
  async function reapOnce(): Promise<number> {
    if (stopped || reaping) return 0;
    reaping = true;
    try {
      const registered = parseInstances(await redis.zrange(keys.instances, 0, -1, "WITHSCORES"));
      if (!registered.length) return 0;
      const p = redis.pipeline();
      for (const r of registered) p.exists(keys.lease(r.instance));
      const exists = (await execOrThrow(p)).map((v) => v === 1);
      let reaped = 0;
      for (const dead of findDeadInstances(registered, exists, current))
        reaped += await reapInstance(dead);
      return reaped;
    } finally {
      reaping = false;
    }
  }

  async function reapInstance(dead: TRegisteredInstance): Promise<number> {
    const lockKey = keys.reapLock(dead.instance);
    const claimed = await redis.set(lockKey, current ?? deps.nodeId, "PX", REAP_LOCK_MS, "NX");
    if (claimed !== "OK") return 0;
    const offline: TOffline[] = [];
    let users = 0;
    let cursor = "0";
    do {
      const [next, members] = await redis.sscan(
        keys.conns(dead.instance),
        cursor,
        "COUNT",
        REAP_BATCH,
      );
      cursor = next;
      const byUser = groupConnsByUser(dead.instance, members);
      if (!byUser.size) continue;
      const p = redis.pipeline();
      for (const [userId, fields] of byUser)
        queueApply(p, applyArgs(userId, "del", fields, dead.lastRefreshMs));
      const replies = await execOrThrow(p);
      let i = 0;
      for (const userId of byUser.keys()) noteReply(userId, replies[i++] as TApplyReply, offline);
      users += byUser.size;
    } while (cursor !== "0");
    await execOrThrow(
      redis.multi().del(keys.conns(dead.instance)).zrem(keys.instances, dead.instance).del(lockKey),
    );
    if (users > 0)
      logger.info(
        {
          instance: dead.instance,
          lastRenewal: new Date(dead.lastRefreshMs).toISOString(),
          users,
          wentOffline: offline.length,
        },
        "presence: reaped a dead node instance",
      );
    await persistLastSeen(offline);
    return users;
  }

  // ------------------------------------------------------------ last seen
  /** Postgres User.lastSeenAt, at most once per user per lastSeenWriteMs (a Redis NX key throttles). */
  async function persistLastSeen(entries: TOffline[]): Promise<void> {
    const valid = entries.filter((e) => Number.isFinite(e.atMs) && e.atMs > 0);
    if (!valid.length) return;
    try {
      const p = redis.pipeline();
      for (const e of valid)
        p.set(keys.lastSeenWrite(e.userId), "1", "PX", timings.lastSeenWriteMs, "NX");
      const allowed = (await execOrThrow(p))
        .map((r, i) => (r === "OK" ? valid[i]! : null))
        .filter((e): e is TOffline => e !== null);
      await recordLastSeen(
        { db },
        allowed.map((e) => ({ userId: e.userId, at: new Date(e.atMs) })),
      );
    } catch (err) {
      logger.warn({ err, users: valid.length }, "presence: could not persist lastSeenAt");
    }
  }

  // -------------------------------------------------------------- reading
  /** Current presence of users, from Redis (Postgres for the last seen time of users Redis has none for). */
  async function snapshot(
    userIds: readonly string[],
    postgresLastSeen?: ReadonlyMap<string, Date | null>,
  ): Promise<TPresence[]> {
    if (!userIds.length) return [];
    const p = redis.pipeline();
    for (const id of userIds) p.hgetall(keys.user(id));
    const hashes = (await execOrThrow(p)) as Record<string, string>[];
    const instances = [
      ...new Set(
        hashes.flatMap((h) =>
          Object.keys(h)
            .map(fieldInstance)
            .filter((i) => i !== null),
        ),
      ),
    ];
    const states = new Map<string, TInstanceState>();
    if (instances.length) {
      const q = redis.pipeline();
      for (const i of instances) q.exists(keys.lease(i)).zscore(keys.instances, i);
      const res = await execOrThrow(q);
      instances.forEach((inst, n) => {
        const score = res[n * 2 + 1];
        states.set(inst, {
          live: res[n * 2] === 1,
          lastRefreshMs: score == null ? null : Number(score),
        });
      });
    }
    let pg = postgresLastSeen;
    if (!pg) {
      const missing = userIds.filter((id, i) => !hashes[i]!._seen);
      pg = await lastSeenOf({ db }, missing);
    }
    return userIds.map((id, i) => snapshotFromHash(id, hashes[i]!, states, pg.get(id) ?? null));
  }

  return {
    /** Resolves once this node holds its first lease (tests wait on it). */
    ready,

    /** Take the first lease and start renewing it and reaping dead nodes. */
    start(): void {
      sub
        .subscribe(keys.channel)
        .catch((err: unknown) => logger.warn({ err }, "presence: subscribe failed"));
      void rotate("start");
      const jitter = Math.floor(Math.random() * timings.reapIntervalMs);
      timers = [
        setInterval(() => void renew(), timings.leaseRefreshMs),
        setTimeout(() => {
          if (stopped) return;
          timers.push(
            setInterval(
              () =>
                void reapOnce().catch((err: unknown) =>
                  logger.warn({ err }, "presence: reaper failed"),
                ),
              timings.reapIntervalMs,
            ),
          );
          timers.at(-1)?.unref();
        }, jitter),
      ];
      for (const t of timers) t.unref();
    },

    /** A socket connected: online until it says otherwise. */
    connect(socketId: string, userId: string): void {
      if (stopped) return;
      const conn: LocalConn = {
        socketId,
        userId,
        status: "online",
        insts: new Set(),
        gone: false,
        chain: Promise.resolve(),
      };
      conns.set(socketId, conn);
      void enqueue(conn, registerOp(conn)).catch(() => undefined);
    },

    disconnect(socketId: string): void {
      const conn = conns.get(socketId);
      if (!conn || stopped) return;
      conns.delete(socketId);
      conn.gone = true;
      void enqueue(conn, unregisterOp(conn)).catch(() => undefined);
    },

    /** presence:set — resolves once Redis has it (UNAVAILABLE if it cannot). */
    async setStatus(socketId: string, status: TSettablePresenceStatus): Promise<void> {
      const conn = conns.get(socketId);
      if (!conn) return;
      if (conn.status === status) return;
      conn.status = status;
      await orUnavailable("presence store", () => enqueue(conn, statusOp(conn)));
    },

    /**
     * presence:watch after validation: authorize (core's rule: who may watch
     * whom), `join` the rooms of the allowed users, read their snapshot.
     * Joining first means no change is missed; events that reached the
     * watcher while the snapshot was read win over it. Refused ids are left
     * out of the result (in request order otherwise) and handed to `join`
     * too, so the caller can drop any room it still had for them.
     */
    async watch(
      watcherId: string,
      userIds: readonly string[],
      join: (allowed: readonly string[], refused: readonly string[]) => void,
    ): Promise<TPresence[]> {
      const pg = await authorizePresenceWatch({ db }, { watcherId, userIds });
      const allowed = userIds.filter((id) => pg.has(id));
      const refused = userIds.filter((id) => !pg.has(id));
      const capture = { ids: new Set(allowed), latest: new Map<string, TPresence>() };
      captures.add(capture);
      try {
        join(allowed, refused);
        if (allowed.length === 0) return [];
        const snap = await orUnavailable("presence store", () => snapshot(allowed, pg));
        return mergeSnapshot(snap, capture.latest);
      } finally {
        captures.delete(capture);
      }
    },

    snapshot,
    reapOnce,
    /** The instance id this node registers under now (null before its first lease). */
    instanceId: () => current,

    /**
     * Graceful shutdown: remove every local connection (watchers see the
     * changes at once), drop the lease, persist last seen. Sockets are
     * disconnected afterwards by the caller; their disconnects are ignored.
     */
    drain(): Promise<void> {
      if (drained) return drained;
      stopped = true;
      for (const t of timers) clearInterval(t);
      const work = async () => {
        await Promise.all([...conns.values()].map((c) => c.chain));
        if (rotation) await rotation;
        const byUser = new Map<string, string[]>();
        const insts = new Set<string>(current ? [current] : []);
        for (const c of conns.values()) {
          const fields = byUser.get(c.userId) ?? [];
          for (const i of c.insts) {
            fields.push(connField(i, c.socketId));
            insts.add(i);
          }
          byUser.set(c.userId, fields);
        }
        const offline: TOffline[] = [];
        const now = Date.now();
        const users = [...byUser].filter(([, f]) => f.length);
        for (let i = 0; i < users.length; i += REAP_BATCH) {
          const batch = users.slice(i, i + REAP_BATCH);
          const p = redis.pipeline();
          for (const [userId, fields] of batch)
            queueApply(p, applyArgs(userId, "del", fields, now));
          const replies = await execOrThrow(p);
          batch.forEach(([userId], n) => noteReply(userId, replies[n] as TApplyReply, offline));
        }
        const m = redis.multi();
        for (const i of insts) m.del(keys.lease(i), keys.conns(i)).zrem(keys.instances, i);
        await execOrThrow(m);
        conns.clear();
        await persistLastSeen(offline);
        logger.info({ users: users.length, wentOffline: offline.length }, "presence: drained");
      };
      drained = withTimeout(work(), DRAIN_TIMEOUT_MS, "presence drain").catch((err: unknown) =>
        logger.warn({ err }, "presence: drain incomplete; the lease will expire and be reaped"),
      );
      return drained;
    },

    /** Stop timers and close the event channel (after drain, or for an abrupt stop in tests). */
    close(): void {
      stopped = true;
      for (const t of timers) clearInterval(t);
      sub.disconnect();
    },
  };
}

export type PresenceService = ReturnType<typeof createPresenceService>;
