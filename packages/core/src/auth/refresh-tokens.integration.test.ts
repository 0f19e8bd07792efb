import { afterAll, describe, expect, it } from "vitest";
import { createTestUser, openTestStores, type TestStores } from "../testing";
import {
  REFRESH_TOKEN_TTL_SECONDS,
  hashRefreshToken,
  issueTokenPair,
  refreshTokenPair,
  revokeAllForUser,
} from "./refresh-tokens";

const s: TestStores = openTestStores();
afterAll(async () => {
  await s?.close();
});

const rowOf = (token: string) =>
  s.db.refreshToken.findUnique({ where: { tokenHash: hashRefreshToken(token) } });

describe("issueTokenPair", () => {
  it("stores only the SHA-256 of a 32-byte token, 30-day expiry, and uses the row id as sid", async () => {
    const user = await createTestUser(s.db);
    const pair = await issueTokenPair(s, user);
    expect(pair.expiresIn).toBe(s.tokens.accessTtlSeconds);
    expect(Buffer.from(pair.refreshToken, "base64url")).toHaveLength(32);

    const rows = await s.db.refreshToken.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.tokenHash).toBe(hashRefreshToken(pair.refreshToken));
    expect(row.tokenHash).not.toContain(pair.refreshToken);
    const ttl = (row.expiresAt.getTime() - row.createdAt.getTime()) / 1000;
    expect(Math.abs(ttl - REFRESH_TOKEN_TTL_SECONDS)).toBeLessThan(60);

    const claims = await s.tokens.verifyAccess(pair.accessToken);
    expect(claims).toEqual({
      userId: user.id,
      role: "USER",
      sessionId: row.id,
      issuedAtMs: expect.any(Number) as unknown,
      expiresAtMs: expect.any(Number) as unknown,
    });
    // exp has whole seconds, iatMs milliseconds: the lifetime is the TTL, less under a second.
    const lifetime = claims.expiresAtMs! - claims.issuedAtMs!;
    expect(lifetime).toBeGreaterThan(s.tokens.accessTtlSeconds * 1000 - 1000);
    expect(lifetime).toBeLessThanOrEqual(s.tokens.accessTtlSeconds * 1000);
  });

  it("refuses suspended and banned users", async () => {
    const suspended = await createTestUser(s.db, { status: "SUSPENDED" });
    await expect(issueTokenPair(s, suspended)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await s.db.refreshToken.count({ where: { userId: suspended.id } })).toBe(0);
  });
});

describe("refreshTokenPair", () => {
  it("rotates: the old token is revoked and points at its replacement", async () => {
    const user = await createTestUser(s.db);
    const first = await issueTokenPair(s, user);
    const second = await refreshTokenPair(s, first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);

    const oldRow = await rowOf(first.refreshToken);
    const newRow = await rowOf(second.refreshToken);
    expect(oldRow?.revokedAt).toBeInstanceOf(Date);
    expect(oldRow?.replacedById).toBe(newRow?.id);
    expect(newRow?.revokedAt).toBeNull();
    expect((await s.tokens.verifyAccess(second.accessToken)).sessionId).toBe(newRow?.id);

    const third = await refreshTokenPair(s, second.refreshToken);
    expect((await rowOf(third.refreshToken))?.revokedAt).toBeNull();
  });

  it("detects reuse of a rotated token and revokes the whole chain after it", async () => {
    const user = await createTestUser(s.db);
    const a = await issueTokenPair(s, user);
    const b = await refreshTokenPair(s, a.refreshToken);
    const c = await refreshTokenPair(s, b.refreshToken);

    await expect(refreshTokenPair(s, a.refreshToken)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect((await rowOf(c.refreshToken))?.revokedAt).toBeInstanceOf(Date);
    // The legitimate holder's latest token is dead too: the thief and the victim both sign in again.
    await expect(refreshTokenPair(s, c.refreshToken)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(await s.db.refreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
  });

  it("lets exactly one of several concurrent refreshes of one token win", async () => {
    const user = await createTestUser(s.db);
    const pair = await issueTokenPair(s, user);
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(() => refreshTokenPair(s, pair.refreshToken)),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "UNAUTHORIZED" });
    // The losers count as reuse: the winner's token is revoked as well.
    expect(await s.db.refreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
  });

  it("rejects unknown and expired tokens", async () => {
    await expect(refreshTokenPair(s, "not-a-token")).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const user = await createTestUser(s.db);
    const pair = await issueTokenPair(s, user);
    const later = new Date(Date.now() + (REFRESH_TOKEN_TTL_SECONDS + 60) * 1000);
    await expect(
      refreshTokenPair({ ...s, now: () => later }, pair.refreshToken),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("gives suspended users no new tokens and revokes the ones they have", async () => {
    const user = await createTestUser(s.db);
    const one = await issueTokenPair(s, user);
    await issueTokenPair(s, user);
    await s.db.user.update({ where: { id: user.id }, data: { status: "SUSPENDED" } });
    await expect(refreshTokenPair(s, one.refreshToken)).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "account suspended",
    });
    expect(await s.db.refreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
  });
});

describe("revokeAllForUser", () => {
  it("revokes every live token of the user and no one else's", async () => {
    const user = await createTestUser(s.db);
    const other = await createTestUser(s.db);
    const mine = await issueTokenPair(s, user);
    await issueTokenPair(s, user);
    const theirs = await issueTokenPair(s, other);
    expect(await revokeAllForUser(s, user.id)).toBe(2);
    await expect(refreshTokenPair(s, mine.refreshToken)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(refreshTokenPair(s, theirs.refreshToken)).resolves.toMatchObject({
      expiresIn: s.tokens.accessTtlSeconds,
    });
  });
});
