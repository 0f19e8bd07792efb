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

export interface DenyList {
  /** Resolves once the first load from Postgres is in memory. */
  ready: Promise<void>;
  /** Why this session must be refused now, or null. No I/O. */
  check(session: { userId: string; issuedAtMs?: number }): TSessionRevokedReason | null;
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
  let closed = false;
  let loadedOnce = false;

  async function reload(): Promise<void> {
    const fresh = await denyEntriesFromPostgres(deps);
    entries.clear();
    for (const e of fresh) entries.set(e.userId, e);
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
  deps.subscriber.on("message", (ch: string, userId: string) => {
    if (ch !== channel || closed) return;
    refresh(userId).catch((err: unknown) =>
      deps.logger.warn({ err, userId }, "deny-list: could not read an entry"),
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
    await deps.subscriber.subscribe(channel);
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
      const entry = entries.get(session.userId);
      const reason = deniedBy(entry, session.issuedAtMs);
      if (entry && !reason && entry.expiresAtMs <= Date.now()) entries.delete(session.userId);
      return reason;
    },
    close() {
      closed = true;
    },
  };
}
