// The rate limits against the real test Redis, and with Redis unreachable
// (the in-memory insurance limiter takes over instead of failing requests).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@relay/shared/errors";
import { createRateLimits, DEFAULT_RATE_LIMITS } from "./rate-limits";
import { redisKeys } from "./redis-keys";
import { testEnv } from "./testing";

const env = testEnv();
const keys = redisKeys(env.REDIS_PREFIX);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
// Until the client is connected the limiters answer from memory (rejectIfRedisNotReady).
beforeAll(() => redis.ping());
afterAll(() => redis.quit());

const takeN = async (n: number, take: () => Promise<boolean>) => {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push(await take());
  return out;
};

describe("createRateLimits", () => {
  it("allows a rule's points per window, then refuses, per key, shared through Redis", async () => {
    const user = randomUUID();
    const nodeA = createRateLimits(redis, keys);
    const nodeB = createRateLimits(redis, keys); // another process on the same Redis
    const { points } = DEFAULT_RATE_LIMITS.send;
    const first = await takeN(points / 2, () => nodeA.take("send", user));
    const second = await takeN(points / 2, () => nodeB.take("send", user));
    expect([...first, ...second].every(Boolean)).toBe(true);
    expect(await nodeA.take("send", user)).toBe(false);
    expect(await nodeA.take("send", randomUUID())).toBe(true); // another user is unaffected
    expect(await redis.exists(`${keys.rateLimit("send")}:${user}`)).toBe(1);
  });

  it("enforce throws RATE_LIMITED with the rule's message; reset lets the key through again", async () => {
    const key = randomUUID();
    const limits = createRateLimits(redis, keys, { typing: { points: 1 } });
    await limits.enforce("typing", key);
    const refused = await limits.enforce("typing", key).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("RATE_LIMITED");
    expect((refused as AppError).message).toBe(DEFAULT_RATE_LIMITS.typing.message);
    await limits.reset("typing", key);
    expect(await limits.take("typing", key)).toBe(true);
  });

  it("applies overrides (the web app's sign-up limit from env)", async () => {
    const limits = createRateLimits(redis, keys, { signUp: { points: 2 } });
    const ip = `198.51.100.${Math.floor(Math.random() * 255)}-${randomUUID()}`;
    expect(await takeN(3, () => limits.take("signUp", ip))).toEqual([true, true, false]);
  });

  it("keeps limiting in memory while Redis is unreachable", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on("error", () => undefined);
    const limits = createRateLimits(dead, keys, { send: { points: 3 } });
    const user = randomUUID();
    expect(await takeN(4, () => limits.take("send", user))).toEqual([true, true, true, false]);
    dead.disconnect();
  });
});
