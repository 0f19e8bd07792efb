// Revocable sessions against real Postgres and Redis: a signed-out session is
// refused by the cheap check (Redis, no Postgres query), still after Redis
// lost its keys (Postgres answers, the keys are rebuilt), and by the realtime
// deny-list replica; "sign out everywhere" ends cookies, access and refresh
// tokens and sockets through the same mechanism as a moderator's force logout.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import { createDenyList } from "../moderation/deny-list";
import { createTestUser, openTestStores } from "../testing";
import { authenticateAccessToken } from "./access";
import { issueTokenPair, refreshTokenPair } from "./refresh-tokens";
import {
  checkSession,
  isSessionRevoked,
  purgeExpiredRevocations,
  rebuildRevokedSessionCache,
  requireLiveSession,
  revokeSession,
  signOutEverywhere,
} from "./sessions";

const s = openTestStores();
afterAll(() => s.close());
beforeEach(() => {
  s.events.sent.length = 0;
  s.events.disconnected.length = 0;
});

const DAY = 24 * 60 * 60 * 1000;
const webSid = () => `web:${randomUUID()}`;
const inADay = () => new Date(Date.now() + DAY);
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? `${e.code}: ${e.message}` : String(e)),
  );

/** `db` that counts every use of the RevokedSession table. */
function countingDb(): { db: PrismaClient; queries: () => number } {
  let n = 0;
  const db = new Proxy(s.db, {
    get(target, prop, receiver) {
      if (prop === "revokedSession") n++;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { db, queries: () => n };
}

async function ensureLoaded() {
  if (!(await s.redis.exists(s.keys.revokedSessionsLoaded())))
    await expect.poll(() => rebuildRevokedSessionCache(s), { timeout: 10_000 }).toBe(true);
}

describe("revokeSession / isSessionRevoked", () => {
  it("refuses a signed-out session everywhere, and only that session", async () => {
    const user = await createTestUser(s.db);
    const [signedOut, other] = [webSid(), webSid()];
    const ref = (sessionId: string) => ({ userId: user.id, sessionId, issuedAtMs: Date.now() });
    expect((await requireLiveSession(s, ref(signedOut))).id).toBe(user.id);

    await revokeSession(s, { userId: user.id, sessionId: signedOut, expiresAt: inADay() });

    expect(await isSessionRevoked(s, signedOut)).toBe(true);
    expect(await isSessionRevoked(s, other)).toBe(false);
    expect(await codeOf(requireLiveSession(s, ref(signedOut)))).toBe(
      "UNAUTHORIZED: session revoked; sign in again",
    );
    expect(await checkSession(s, ref(signedOut))).toEqual({ kind: "signed_out" });
    expect((await checkSession(s, ref(other))).kind).toBe("live");
    const row = await s.db.revokedSession.findUnique({ where: { sid: signedOut } });
    expect(row).toMatchObject({ userId: user.id });
    const ttl = await s.redis.pttl(s.keys.revokedSession(signedOut));
    expect(ttl).toBeGreaterThan(DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY);
    // Idempotent.
    await revokeSession(s, { userId: user.id, sessionId: signedOut, expiresAt: inADay() });
    expect(await s.db.revokedSession.count({ where: { sid: signedOut } })).toBe(1);
  });

  it("answers from Redis alone: neither a hit nor a miss queries Postgres", async () => {
    const user = await createTestUser(s.db);
    const sid = webSid();
    await revokeSession(s, { userId: user.id, sessionId: sid, expiresAt: inADay() });
    await ensureLoaded();
    const { db, queries } = countingDb();
    const deps = { ...s, db };
    expect(await isSessionRevoked(deps, sid)).toBe(true);
    for (let i = 0; i < 20; i++) expect(await isSessionRevoked(deps, webSid())).toBe(false);
    expect(queries()).toBe(0);

    // Measured here (one Redis round trip per check, both keys read concurrently).
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await isSessionRevoked(deps, webSid());
    const perCheck = (performance.now() - t0) / n;
    expect(queries()).toBe(0);
    expect(perCheck).toBeLessThan(5);
  });

  it("after Redis lost its keys (flush, restart) Postgres answers and the keys are rebuilt", async () => {
    const user = await createTestUser(s.db);
    const sid = webSid();
    await revokeSession(s, { userId: user.id, sessionId: sid, expiresAt: inADay() });
    // What a FLUSHDB does to these keys (the whole test Redis is shared with other files).
    await s.redis.del(s.keys.revokedSession(sid), s.keys.revokedSessionsLoaded());

    const { db, queries } = countingDb();
    expect(await isSessionRevoked({ ...s, db }, sid)).toBe(true);
    expect(queries()).toBeGreaterThan(0);
    // The check started a rebuild in the background: the key comes back, then the marker.
    await expect
      .poll(() => s.redis.exists(s.keys.revokedSessionsLoaded()), { timeout: 10_000 })
      .toBe(1);
    expect(await s.redis.exists(s.keys.revokedSession(sid))).toBe(1);
    const before = queries();
    expect(await isSessionRevoked({ ...s, db }, sid)).toBe(true);
    expect(queries()).toBe(before);
  });

  it("asks Postgres when Redis is unreachable (or not passed in)", async () => {
    const user = await createTestUser(s.db);
    const sid = webSid();
    await revokeSession(s, { userId: user.id, sessionId: sid, expiresAt: inADay() });
    const down = {
      exists: () => Promise.reject(new Error("Connection is closed.")),
    } as unknown as Redis;
    expect(await isSessionRevoked({ ...s, redis: down }, sid)).toBe(true);
    expect(await isSessionRevoked({ ...s, redis: down }, webSid())).toBe(false);
    expect(await isSessionRevoked({ db: s.db }, sid)).toBe(true);
  });

  it("ignores a session that has expired anyway, and purges expired rows on write", async () => {
    const user = await createTestUser(s.db);
    const past = webSid();
    await revokeSession(s, {
      userId: user.id,
      sessionId: past,
      expiresAt: new Date(Date.now() - 1),
    });
    expect(await s.db.revokedSession.count({ where: { sid: past } })).toBe(0);

    const stale = webSid();
    await s.db.revokedSession.create({
      data: {
        sid: stale,
        userId: user.id,
        revokedAt: new Date(Date.now() - 31 * DAY),
        expiresAt: new Date(Date.now() - DAY),
      },
    });
    expect(await isSessionRevoked({ db: s.db }, stale)).toBe(false);
    await revokeSession(s, { userId: user.id, sessionId: webSid(), expiresAt: inADay() });
    expect(await s.db.revokedSession.count({ where: { sid: stale } })).toBe(0);
    expect(await purgeExpiredRevocations(s)).toBe(0);
  });

  it("voids the access tokens minted for a signed-out session (the browser's realtime tokens)", async () => {
    const user = await createTestUser(s.db);
    const sessionId = webSid();
    const token = await s.tokens.signAccess({ userId: user.id, role: user.role, sessionId });
    expect((await authenticateAccessToken(s, token)).user.id).toBe(user.id);
    await revokeSession(s, { userId: user.id, sessionId, expiresAt: inADay() });
    expect(await codeOf(authenticateAccessToken(s, token))).toBe(
      "UNAUTHORIZED: session revoked; sign in again",
    );
    // Without Redis (the realtime node's HTTP history passes only db): Postgres answers.
    expect(await codeOf(authenticateAccessToken({ db: s.db, tokens: s.tokens }, token))).toMatch(
      /^UNAUTHORIZED/,
    );
  });
});

describe("signOutEverywhere", () => {
  it("ends every session: cookies, access and refresh tokens, sockets (session:revoked logged_out)", async () => {
    const user = await createTestUser(s.db);
    const [phone, laptop] = [await issueTokenPair(s, user), await issueTokenPair(s, user)];
    const browser = { userId: user.id, sessionId: webSid(), issuedAtMs: Date.now() - 1 };
    expect((await authenticateAccessToken(s, phone.accessToken)).user.id).toBe(user.id);
    await new Promise((r) => setTimeout(r, 2)); // the revocation is strictly later

    const result = await signOutEverywhere(s, user.id);

    expect(result.refreshTokensRevoked).toBe(2);
    for (const pair of [phone, laptop]) {
      expect(await codeOf(authenticateAccessToken(s, pair.accessToken))).toBe(
        "UNAUTHORIZED: session revoked; sign in again",
      );
      expect(await codeOf(refreshTokenPair(s, pair.refreshToken))).toMatch(/^UNAUTHORIZED/);
    }
    expect(await checkSession(s, browser)).toEqual({ kind: "revoked", reason: "logged_out" });
    expect(s.events.disconnected).toEqual([user.id]);
    expect(s.events.sent).toEqual([
      { userIds: [user.id], event: "session:revoked", payload: { reason: "logged_out" } },
    ]);
    expect(JSON.parse((await s.redis.get(s.keys.deny(user.id)))!)).toMatchObject({
      reason: "logged_out",
      allUntilMs: 0,
    });
    // Signing in again works at once.
    const fresh = await issueTokenPair(s, user);
    expect((await authenticateAccessToken(s, fresh.accessToken)).user.id).toBe(user.id);
  });
});

describe("the realtime deny-list and signed-out sessions", () => {
  it("refuses the session's tokens and ends its watching sockets, on the channel and after a reload", async () => {
    const user = await createTestUser(s.db);
    const deny = createDenyList({
      db: s.db,
      redis: s.redis,
      keys: s.keys,
      logger: s.logger,
      subscriber: s.duplicateRedis("deny-session-test"),
    });
    await deny.ready;
    const [signedOut, other] = [webSid(), webSid()];
    const ended: string[] = [];
    deny.watchSession(signedOut, () => ended.push("socket of the signed-out session"));
    deny.watchSession(other, () => ended.push("socket of another session"));
    const unwatched = deny.watchSession(signedOut, () => ended.push("closed socket"));
    unwatched();
    const session = { userId: user.id, sessionId: signedOut, issuedAtMs: Date.now() };
    expect(deny.check(session)).toBeNull();

    await revokeSession(s, { userId: user.id, sessionId: signedOut, expiresAt: inADay() });

    await expect.poll(() => deny.check(session)).toBe("logged_out");
    expect(ended).toEqual(["socket of the signed-out session"]);
    expect(deny.check({ ...session, sessionId: other })).toBeNull();
    // A socket that starts watching after the sign-out arrived is ended at once.
    const late = new Promise<void>((resolve) => deny.watchSession(signedOut, resolve));
    await expect(late).resolves.toBeUndefined();

    // A node starting now (or resubscribing) loads it from Postgres.
    const fresh = createDenyList({
      db: s.db,
      redis: s.redis,
      keys: s.keys,
      logger: s.logger,
      subscriber: s.duplicateRedis("deny-session-test-2"),
    });
    await fresh.ready;
    expect(fresh.check(session)).toBe("logged_out");
    deny.close();
    fresh.close();
  });
});
