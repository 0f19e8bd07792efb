// The session deny-list: how a suspension, ban or force logout reaches every
// realtime node within moments, although access tokens are verified locally.
//
// - Postgres is the truth: User.status / suspendedUntil / sessionsRevokedAt.
// - Redis holds one key per recently revoked user, `deny:{userId}` (JSON
//   TDenyEntry, expiring when no token it covers can still be valid: an
//   access token's lifetime after the revocation), and the use case publishes
//   the user id on the `deny` channel after writing it.
// - Each realtime node keeps the entries in memory (`createDenyList`): filled
//   from Postgres at start and whenever its subscription reconnects (so a
//   Redis restart loses nothing), updated from the channel, and consulted at
//   every handshake and every client event without a round trip.
// - One signed-out session (auth/sessions.ts: RevokedSession in Postgres) is
//   published on `deny:session` as a TSessionDenyEntry: the node refuses access
//   tokens carrying that session id for as long as one issued before the
//   sign-out may be valid, and ends the sockets that watch it (`watchSession`).
import type { Redis } from "ioredis";
import type { PrismaClient, User } from "@relay/db";
import type { TSessionRevokedReason } from "@relay/shared/schemas";
import { ACCESS_TOKEN_TTL_SECONDS } from "../auth/tokens";
import type { Logger } from "../logger";
import type { RedisKeys } from "../redis-keys";

/** How long after a revocation a token issued before it may still be valid (plus a margin). */
export const DENY_TTL_MS = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;

export interface TDenyEntry {
  userId: string;
  /** What the user's sockets are told. */
  reason: TSessionRevokedReason;
  /** Tokens and sessions issued at or before this instant (epoch ms) are void. */
  revokedAtMs: number;
  /** Until this instant every session of the user is refused (ban, suspension); 0 for a logout. */
  allUntilMs: number;
  /** When the entry stops mattering (no token from before revokedAtMs can be valid). */
  expiresAtMs: number;
}

/** One signed-out session, as published on the `deny:session` channel. */
export interface TSessionDenyEntry {
  /** The access claims' session id ("web:<uuid>", "admin:<uuid>"). */
  sessionId: string;
  userId: string;
  revokedAtMs: number;
}

type TDenySource = Pick<User, "id" | "status" | "suspendedUntil" | "sessionsRevokedAt">;

/**
 * The entry a user's row implies now, or null when nothing needs denying: no
 * token issued before the last revocation can still be valid. While banned or
 * suspended no new token can be issued (every issuing path checks the status),
 * so "every session" and "sessions from before the revocation" are the same set.
 */
export function denyEntryFor(user: TDenySource, nowMs = Date.now()): TDenyEntry | null {
  const revokedAtMs = user.sessionsRevokedAt?.getTime() ?? nowMs;
  const expiresAtMs = revokedAtMs + DENY_TTL_MS;
  if (expiresAtMs <= nowMs) return null;
  const suspendedUntilMs =
    user.status === "SUSPENDED" ? (user.suspendedUntil?.getTime() ?? Number.POSITIVE_INFINITY) : 0;
  const reason: TSessionRevokedReason =
    user.status === "BANNED" ? "banned" : suspendedUntilMs > nowMs ? "suspended" : "logged_out";
  return {
    userId: user.id,
    reason,
    revokedAtMs,
    allUntilMs:
      reason === "banned"
        ? expiresAtMs
        : reason === "suspended"
          ? Math.min(suspendedUntilMs, expiresAtMs)
          : 0,
    expiresAtMs,
  };
}

/** The reason `entry` refuses a session issued at `issuedAtMs`, or null. */
export function deniedBy(
  entry: TDenyEntry | undefined | null,
  issuedAtMs: number | undefined,
  nowMs = Date.now(),
): TSessionRevokedReason | null {
  if (!entry || entry.expiresAtMs <= nowMs) return null;
  if (nowMs < entry.allUntilMs) return entry.reason;
  if (issuedAtMs === undefined || issuedAtMs <= entry.revokedAtMs) return "logged_out";
  return null;
}

/** Writes (or clears) a user's entry in Redis and tells every node. */
export async function publishDenyEntry(
  deps: { redis: Redis; keys: RedisKeys },
  userId: string,
  entry: TDenyEntry | null,
): Promise<void> {
  const key = deps.keys.deny(userId);
  const ttl = entry ? entry.expiresAtMs - Date.now() : 0;
  const p = deps.redis.multi();
  if (entry && ttl > 0) p.set(key, JSON.stringify(entry), "PX", ttl);
  else p.del(key);
  p.publish(deps.keys.denyChannel(), userId);
  await p.exec();
}

/** Every entry that must hold now, from Postgres. */
export async function denyEntriesFromPostgres(
  deps: { db: PrismaClient },
  nowMs = Date.now(),
): Promise<TDenyEntry[]> {
  const users = await deps.db.user.findMany({
    where: { sessionsRevokedAt: { gt: new Date(nowMs - DENY_TTL_MS) } },
    select: { id: true, status: true, suspendedUntil: true, sessionsRevokedAt: true },
  });
  return users.map((u) => denyEntryFor(u, nowMs)).filter((e): e is TDenyEntry => e !== null);
}

/** Sessions signed out recently enough that a token issued for them may still be valid, from Postgres. */
export async function sessionDenyEntriesFromPostgres(
  deps: { db: PrismaClient },
  nowMs = Date.now(),
): Promise<TSessionDenyEntry[]> {
  const rows = await deps.db.revokedSession.findMany({
    where: { revokedAt: { gt: new Date(nowMs - DENY_TTL_MS) } },
    select: { sid: true, userId: true, revokedAt: true },
  });
  return rows.map((r) => ({
    sessionId: r.sid,
    userId: r.userId,
    revokedAtMs: r.revokedAt.getTime(),
  }));
}

export interface DenyList {
  /** Resolves once the first load from Postgres is in memory. */
  ready: Promise<void>;
  /** Why this session must be refused now, or null. No I/O. */
  check(session: {
    userId: string;
    sessionId?: string;
    issuedAtMs?: number;
  }): TSessionRevokedReason | null;
  /**
   * Calls `onRevoked` once if the session is signed out (on any node) while
   * watched; returns the unwatch function. A socket watches its own session.
   */
  watchSession(sessionId: string, onRevoked: () => void): () => void;
  close(): void;
}

export function createDenyList(deps: {
  db: PrismaClient;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  /** A dedicated connection for the channel (subscribed connections run no other commands). */
  subscriber: Redis;
}): DenyList {
  const entries = new Map<string, TDenyEntry>();
  /** Signed-out session id → when no token issued before the sign-out can be valid (epoch ms). */
  const sessions = new Map<string, number>();
  const watchers = new Map<string, Set<() => void>>();
  let closed = false;
  let loadedOnce = false;

  function revokeSessionLocally(entry: TSessionDenyEntry): void {
    const nowMs = Date.now();
    // Oldest first (insertion order ≈ expiry order): drop what no longer matters.
    for (const [sid, until] of sessions) {
      if (until > nowMs) break;
      sessions.delete(sid);
    }
    const untilMs = entry.revokedAtMs + DENY_TTL_MS;
    if (untilMs <= nowMs) return;
    sessions.set(entry.sessionId, Math.max(untilMs, sessions.get(entry.sessionId) ?? 0));
    const watching = watchers.get(entry.sessionId);
    if (!watching) return;
    watchers.delete(entry.sessionId);
    for (const onRevoked of watching) {
      try {
        onRevoked();
      } catch (err) {
        deps.logger.warn({ err }, "deny-list: a session watcher failed");
      }
    }
  }

  async function reload(): Promise<void> {
    const [fresh, signedOut] = await Promise.all([
      denyEntriesFromPostgres(deps),
      sessionDenyEntriesFromPostgres(deps),
    ]);
    entries.clear();
    for (const e of fresh) entries.set(e.userId, e);
    sessions.clear();
    // Also ends the watched sockets of sessions whose message was missed.
    for (const e of signedOut) revokeSessionLocally(e);
    // Redis may have lost the keys (restart): write back what Postgres implies.
    if (fresh.length) {
      const p = deps.redis.pipeline();
      for (const e of fresh)
        p.set(
          deps.keys.deny(e.userId),
          JSON.stringify(e),
          "PX",
          Math.max(1, e.expiresAtMs - Date.now()),
        );
      await p.exec();
    }
  }

  async function refresh(userId: string): Promise<void> {
    const raw = await deps.redis.get(deps.keys.deny(userId));
    if (raw) entries.set(userId, JSON.parse(raw) as TDenyEntry);
    else entries.delete(userId);
  }

  const channel = deps.keys.denyChannel();
  const sessionChannel = deps.keys.sessionDenyChannel();
  deps.subscriber.on("message", (ch: string, message: string) => {
    if (closed) return;
    if (ch === sessionChannel) {
      const entry = parseSessionDenyEntry(message);
      if (entry) revokeSessionLocally(entry);
      else deps.logger.warn({ message }, "deny-list: malformed session entry");
      return;
    }
    if (ch !== channel) return;
    refresh(message).catch((err: unknown) =>
      deps.logger.warn({ err, userId: message }, "deny-list: could not read an entry"),
    );
  });
  deps.subscriber.on("ready", () => {
    // After a reconnect, changes may have been missed: reload everything.
    if (!loadedOnce || closed) return;
    reload().catch((err: unknown) => deps.logger.warn({ err }, "deny-list: reload failed"));
  });

  // The first load retries until Postgres answers: until then `ready` is pending
  // and realtime holds handshakes back rather than admit a revoked session.
  const ready = (async () => {
    await deps.subscriber.subscribe(channel, sessionChannel);
    for (let attempt = 0; !closed; attempt++) {
      try {
        await reload();
        loadedOnce = true;
        return;
      } catch (err) {
        if (attempt % 10 === 0)
          deps.logger.error({ err }, "deny-list: initial load failed; retrying");
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  })();
  ready.catch((err: unknown) => deps.logger.error({ err }, "deny-list: could not subscribe"));

  return {
    ready,
    check(session) {
      if (session.sessionId !== undefined) {
        const untilMs = sessions.get(session.sessionId);
        if (untilMs !== undefined) {
          if (untilMs > Date.now()) return "logged_out";
          sessions.delete(session.sessionId);
        }
      }
      const entry = entries.get(session.userId);
      const reason = deniedBy(entry, session.issuedAtMs);
      if (entry && !reason && entry.expiresAtMs <= Date.now()) entries.delete(session.userId);
      return reason;
    },
    watchSession(sessionId, onRevoked) {
      // Signed out between the handshake's check and this call: end it now.
      if ((sessions.get(sessionId) ?? 0) > Date.now()) {
        queueMicrotask(onRevoked);
        return () => undefined;
      }
      let set = watchers.get(sessionId);
      if (!set) watchers.set(sessionId, (set = new Set()));
      set.add(onRevoked);
      return () => {
        const current = watchers.get(sessionId);
        if (!current?.delete(onRevoked) || current.size > 0) return;
        watchers.delete(sessionId);
      };
    },
    close() {
      closed = true;
      watchers.clear();
    },
  };
}

function parseSessionDenyEntry(message: string): TSessionDenyEntry | null {
  try {
    const e = JSON.parse(message) as Partial<TSessionDenyEntry>;
    if (
      typeof e.sessionId === "string" &&
      typeof e.userId === "string" &&
      typeof e.revokedAtMs === "number"
    )
      return { sessionId: e.sessionId, userId: e.userId, revokedAtMs: e.revokedAtMs };
  } catch {
    /* malformed */
  }
  return null;
}
