// Browser and console sessions, revocable on the server.
//
// The web client's session (next-auth, 30 days, renewed while used) and the
// console's (12 hours) are JWT cookies: cryptographically valid until they
// expire, whatever happens on the server. Two things end them early, and
// every entry point that accepts a cookie or a token minted from one — REST
// (cookie and Bearer), the realtime-token route, server-rendered pages, the
// console, realtime sockets (through the deny-list) — checks both:
//
// - One session (sign-out): `revokeSession` writes a RevokedSession row
//   (Postgres, the truth) and `session:revoked:{sid}` (Redis, expiring when
//   the cookie would), and publishes it to every realtime node's deny-list,
//   which refuses that session's realtime tokens and ends its sockets.
// - Every session of a user (sign out everywhere; moderation's force logout,
//   suspension, ban): User.sessionsRevokedAt = now voids every cookie and
//   access token issued before it, every refresh token is revoked, and the
//   deny-list entry plus `session:revoked` end the sockets on every node.
//
// `isSessionRevoked` costs one Redis round trip and no Postgres query: it
// reads the session's key and the "loaded" marker together. The marker makes
// a miss trustworthy: it is written once the keys mirror Postgres, and a Redis
// flush or restart takes it away with them. Without it (or without Redis)
// Postgres answers — one primary-key lookup — while one process rebuilds the
// keys under a lock. Expired rows are purged on write, a bounded batch at a time.
import type { Redis } from "ioredis";
import type { Prisma, PrismaClient, User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import type { TSessionRevokedReason } from "@relay/shared/schemas";
import type { CoreDeps } from "../deps";
import { isUniqueViolation } from "../errors";
import type { Logger } from "../logger";
import { denyEntryFor, publishDenyEntry, type TSessionDenyEntry } from "../moderation/deny-list";
import type { RedisKeys } from "../redis-keys";
import { requireActiveUser } from "../users/users";
import { revokeAllForUser } from "./refresh-tokens";

/** What a refused session is told (REST 401, the same as after a force logout). */
export const SESSION_REVOKED_MESSAGE = "session revoked; sign in again";

/** Expired rows deleted per revocation, at most (the rest go with the next ones). */
const PURGE_BATCH = 500;
const REBUILD_BATCH = 1_000;
const REBUILD_LOCK_MS = 60_000;
/** Retries of a Redis write that failed after the Postgres commit (ms after the failure). */
const CACHE_RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

/** The stores a revocation check reads. Without Redis every check asks Postgres. */
export interface SessionCheckDeps {
  db: PrismaClient;
  redis?: Redis;
  keys?: RedisKeys;
  logger?: Logger;
  /** Clock, for tests. */
  now?: () => Date;
}

export type SessionStoreDeps = Pick<CoreDeps, "db" | "redis" | "keys" | "logger"> & {
  now?: () => Date;
};

/** A cookie session as an app reads it from its JWT. */
export interface TSessionRef {
  userId: string;
  /** "web:<uuid>", "admin:<uuid>" — the id access tokens minted for it carry as `sid`. */
  sessionId: string;
  /** When it was signed in (epoch ms): compared with User.sessionsRevokedAt. */
  issuedAtMs: number | undefined;
}

/**
 * Ends one session: from now on every entry point refuses it, and the sockets
 * opened with its realtime tokens are ended on every node. `expiresAt` is the
 * latest instant any cookie of the session could still be valid (the apps
 * pass now + the cookie's max age, which also covers copies renewed before
 * the sign-out). Idempotent.
 */
export async function revokeSession(
  deps: SessionStoreDeps,
  input: { userId: string; sessionId: string; expiresAt: Date },
): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const { sessionId: sid, userId, expiresAt } = input;
  if (expiresAt.getTime() <= now.getTime()) return; // no cookie of it can be valid any more
  let row: { revokedAt: Date; expiresAt: Date } | null;
  try {
    row = await deps.db.revokedSession.upsert({
      where: { sid },
      create: { sid, userId, revokedAt: now, expiresAt },
      update: {},
      select: { revokedAt: true, expiresAt: true },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err; // a concurrent revocation of the same session won
    row = await deps.db.revokedSession.findUnique({
      where: { sid },
      select: { revokedAt: true, expiresAt: true },
    });
  }
  if (row && row.expiresAt < expiresAt)
    await deps.db.revokedSession.updateMany({
      where: { sid, expiresAt: { lt: expiresAt } },
      data: { expiresAt },
    });
  await purgeExpiredRevocations(deps, now);
  cacheRevocation(
    deps,
    { sessionId: sid, userId, revokedAtMs: (row?.revokedAt ?? now).getTime() },
    expiresAt,
    0,
  );
}

/** Deletes up to PURGE_BATCH rows whose session can no longer be valid. Cheap when none is due (index range). */
export async function purgeExpiredRevocations(
  deps: { db: PrismaClient },
  now = new Date(),
): Promise<number> {
  const due = await deps.db.revokedSession.findMany({
    where: { expiresAt: { lte: now } },
    select: { sid: true },
    take: PURGE_BATCH,
  });
  if (!due.length) return 0;
  const { count } = await deps.db.revokedSession.deleteMany({
    where: { sid: { in: due.map((r) => r.sid) }, expiresAt: { lte: now } },
  });
  return count;
}

/**
 * Writes the Redis key and tells the realtime nodes. Postgres already has the
 * row; should Redis refuse, the write is retried in the background (until
 * then, checks that reach Redis miss it — logged as an error).
 */
function cacheRevocation(
  deps: SessionStoreDeps,
  entry: TSessionDenyEntry,
  expiresAt: Date,
  attempt: number,
): void {
  const retry = (err: unknown) => {
    const delay = CACHE_RETRY_DELAYS_MS[attempt];
    deps.logger.error(
      { err, sessionId: entry.sessionId, attempt, retryInMs: delay ?? null },
      "sessions: signed-out session not written to Redis",
    );
    if (delay !== undefined)
      setTimeout(() => cacheRevocation(deps, entry, expiresAt, attempt + 1), delay).unref();
  };
  const ttl = expiresAt.getTime() - Date.now();
  if (ttl <= 0) return;
  deps.redis
    .multi()
    .set(deps.keys.revokedSession(entry.sessionId), "1", "PX", ttl)
    .publish(deps.keys.sessionDenyChannel(), JSON.stringify(entry))
    .exec()
    .then((results) => {
      const failed = results?.find(([err]) => err)?.[0];
      if (!results || failed) retry(failed ?? new Error("transaction discarded"));
    }, retry);
}

/**
 * Whether the session was signed out. One Redis round trip (the session's key
 * and the "loaded" marker, concurrently); Postgres only when Redis cannot
 * vouch for a miss (flushed, restarted, unreachable, or not passed in).
 */
export async function isSessionRevoked(
  deps: SessionCheckDeps,
  sessionId: string,
): Promise<boolean> {
  const { redis, keys } = deps;
  if (redis && keys) {
    try {
      const [hit, loaded] = await Promise.all([
        redis.exists(keys.revokedSession(sessionId)),
        redis.exists(keys.revokedSessionsLoaded()),
      ]);
      if (hit) return true;
      if (loaded) return false;
      // Redis lost the keys: rebuild them (one process, in the background); Postgres answers meanwhile.
      void rebuildInBackground({ ...deps, redis, keys });
    } catch {
      // Redis unreachable: Postgres answers (the redis client logs the outage).
    }
  }
  const row = await deps.db.revokedSession.findUnique({
    where: { sid: sessionId },
    select: { expiresAt: true },
  });
  return row !== null && row.expiresAt.getTime() > (deps.now?.() ?? new Date()).getTime();
}

const rebuilds = new WeakMap<Redis, Promise<boolean>>();

function rebuildInBackground(deps: SessionCheckDeps & { redis: Redis; keys: RedisKeys }) {
  let running = rebuilds.get(deps.redis);
  if (!running) {
    running = rebuildRevokedSessionCache(deps)
      .catch((err: unknown) => {
        deps.logger?.warn({ err }, "sessions: could not rebuild the signed-out sessions in Redis");
        return false;
      })
      .finally(() => rebuilds.delete(deps.redis));
    rebuilds.set(deps.redis, running);
  }
  return running;
}

/**
 * Copies every unexpired RevokedSession row to Redis, then sets the "loaded"
 * marker. One process at a time (a Redis lock); false when another one holds
 * it. Rows revoked meanwhile write their own keys, so nothing is missed.
 */
export async function rebuildRevokedSessionCache(
  deps: SessionCheckDeps & { redis: Redis; keys: RedisKeys },
): Promise<boolean> {
  const lock = deps.keys.lock("revoked-sessions-rebuild");
  const token = `${process.pid}:${Date.now()}:${Math.random()}`;
  if ((await deps.redis.set(lock, token, "PX", REBUILD_LOCK_MS, "NX")) !== "OK") return false;
  try {
    let cursor: string | undefined;
    let copied = 0;
    for (;;) {
      const now = Date.now();
      const rows = await deps.db.revokedSession.findMany({
        where: { expiresAt: { gt: new Date(now) } },
        select: { sid: true, expiresAt: true },
        orderBy: { sid: "asc" },
        take: REBUILD_BATCH,
        ...(cursor ? { cursor: { sid: cursor }, skip: 1 } : {}),
      });
      if (rows.length) {
        const p = deps.redis.pipeline();
        for (const r of rows)
          p.set(
            deps.keys.revokedSession(r.sid),
            "1",
            "PX",
            Math.max(1, r.expiresAt.getTime() - now),
          );
        await p.exec();
        copied += rows.length;
      }
      if (rows.length < REBUILD_BATCH) break;
      cursor = rows.at(-1)!.sid;
    }
    await deps.redis.set(deps.keys.revokedSessionsLoaded(), new Date().toISOString());
    deps.logger?.info({ copied }, "sessions: signed-out sessions copied to Redis");
    return true;
  } finally {
    // Release only our own lock.
    if ((await deps.redis.get(lock)) === token) await deps.redis.del(lock);
  }
}

/**
 * The user behind a cookie session, refused unless it is live: UNAUTHORIZED
 * when it was signed out, revoked for every session (sign out everywhere,
 * force logout) or the user is gone; FORBIDDEN when suspended or banned.
 */
export async function requireLiveSession(
  deps: SessionCheckDeps,
  session: TSessionRef,
): Promise<User> {
  if (await isSessionRevoked(deps, session.sessionId))
    throw new AppError("UNAUTHORIZED", SESSION_REVOKED_MESSAGE);
  return requireActiveUser(deps, session.userId, { issuedAtMs: session.issuedAtMs });
}

export type TSessionCheck =
  | { kind: "live"; user: User }
  /** This very session was signed out: the page treats it as no session. */
  | { kind: "signed_out" }
  /** Ended from elsewhere (moderation, sign out everywhere) or the account is refused: say why. */
  | { kind: "revoked"; reason: TSessionRevokedReason };

/** `requireLiveSession` as pages need it: what to show instead of throwing. */
export async function checkSession(
  deps: SessionCheckDeps,
  session: TSessionRef,
): Promise<TSessionCheck> {
  if (await isSessionRevoked(deps, session.sessionId)) return { kind: "signed_out" };
  try {
    return {
      kind: "live",
      user: await requireActiveUser(deps, session.userId, { issuedAtMs: session.issuedAtMs }),
    };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === "FORBIDDEN")
      return { kind: "revoked", reason: /banned/.test(err.message) ? "banned" : "suspended" };
    return { kind: "revoked", reason: "logged_out" };
  }
}

type Tx = Prisma.TransactionClient;

/**
 * Inside the caller's transaction: voids every session of the user — cookies
 * and access tokens issued until now (sessionsRevokedAt) and every refresh
 * token. Follow it with `announceSessionsEnded` after the commit.
 */
export async function endEverySession(
  tx: Tx,
  userId: string,
  now: Date,
): Promise<{ user: User; refreshTokensRevoked: number }> {
  const user = await tx.user.update({ where: { id: userId }, data: { sessionsRevokedAt: now } });
  const refreshTokensRevoked = await revokeAllForUser({ db: tx, now: () => now }, userId);
  return { user, refreshTokensRevoked };
}

/**
 * After the commit: the user's deny-list entry (every realtime node refuses
 * the old tokens at the next handshake or event) and, with a reason, their
 * sockets on every node get `session:revoked {reason}` and are disconnected.
 * Failures are logged, not thrown: the change is committed, REST already
 * refuses the old sessions, and the deny-list is rebuilt from Postgres
 * whenever a node (re)subscribes.
 */
export async function announceSessionsEnded(
  deps: Pick<CoreDeps, "redis" | "keys" | "events" | "logger">,
  user: User,
  disconnect: TSessionRevokedReason | null,
): Promise<void> {
  try {
    await publishDenyEntry(deps, user.id, denyEntryFor(user));
  } catch (err) {
    deps.logger.error({ err, userId: user.id }, "sessions: deny-list not updated");
  }
  if (disconnect) deps.events.disconnectUser(user.id, disconnect);
}

/**
 * "Sign out everywhere": every session of the caller ends now — every
 * browser, the console, API clients (refresh tokens and the access tokens
 * issued before), and the sockets on every node (`session:revoked
 * {reason: "logged_out"}`). The same mechanism as a moderator's force logout.
 */
export async function signOutEverywhere(
  deps: Pick<CoreDeps, "db" | "redis" | "keys" | "events" | "logger"> & { now?: () => Date },
  userId: string,
): Promise<{ refreshTokensRevoked: number }> {
  const now = deps.now?.() ?? new Date();
  const { user, refreshTokensRevoked } = await deps.db.$transaction((tx) =>
    endEverySession(tx, userId, now),
  );
  await announceSessionsEnded(deps, user, "logged_out");
  return { refreshTokensRevoked };
}
