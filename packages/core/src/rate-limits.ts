// Every rate limit of Relay, through one library: rate-limiter-flexible.
// Counters live in Redis (`RateLimiterRedis`, one EVALSHA per check), so all
// nodes and web instances share them; each limiter has an in-memory insurance
// limiter with the same rule, which takes over per process while Redis is
// unreachable instead of failing every request (or letting everything through).
//
// The rules are fixed windows that start with a key's first point: `points`
// per `durationSeconds`. "10/s, burst 20" for sends is 20 per 2 s.
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { AppError } from "@relay/shared/errors";
import { LIMITS } from "@relay/shared/limits";
import type { RedisKeys } from "./redis-keys";

export interface TRateLimitRule {
  points: number;
  durationSeconds: number;
  /** The RATE_LIMITED message a client sees. */
  message: string;
}

export const DEFAULT_RATE_LIMITS = {
  /** message:send per user. */
  send: {
    points: LIMITS.sendBurst,
    durationSeconds: LIMITS.sendBurst / LIMITS.sendRatePerSecond,
    message: `too many messages; at most ${LIMITS.sendRatePerSecond}/s`,
  },
  /** typing:start per socket and conversation (over the limit is dropped silently). */
  typing: {
    points: 1,
    durationSeconds: LIMITS.typingThrottleMs / 1000,
    message: "typing is throttled",
  },
  /** presence:set per socket: 10 at once, 2/s on average. */
  presenceSet: {
    points: 10,
    durationSeconds: 5,
    message: "too many presence changes; at most 2/s",
  },
  /** POST /reports per user. */
  report: { points: 10, durationSeconds: 600, message: "too many reports; try again later" },
  /** POST /auth/signup per client IP. */
  signUp: { points: 10, durationSeconds: 600, message: "too many attempts, try again later" },
  /** POST /auth/token per client IP. */
  signIn: { points: 30, durationSeconds: 60, message: "too many attempts, try again later" },
} satisfies Record<string, TRateLimitRule>;

export type TRateLimitName = keyof typeof DEFAULT_RATE_LIMITS;
export type TRateLimitOverrides = Partial<Record<TRateLimitName, Partial<TRateLimitRule>>>;

export interface RateLimits {
  readonly rules: Readonly<Record<TRateLimitName, TRateLimitRule>>;
  /** Takes one point for `key`; false when it is over the limit. */
  take(name: TRateLimitName, key: string): Promise<boolean>;
  /** `take`, throwing RATE_LIMITED with the rule's message when over the limit. */
  enforce(name: TRateLimitName, key: string): Promise<void>;
  /** Forgets `key` (a typing:stop lets the next typing:start through at once). */
  reset(name: TRateLimitName, key: string): Promise<void>;
}

export function createRateLimits(
  redis: Redis,
  keys: RedisKeys,
  overrides: TRateLimitOverrides = {},
): RateLimits {
  const rules = Object.fromEntries(
    Object.entries(DEFAULT_RATE_LIMITS).map(([name, rule]) => [
      name,
      { ...rule, ...overrides[name as TRateLimitName] },
    ]),
  ) as Record<TRateLimitName, TRateLimitRule>;
  const limiters = new Map<TRateLimitName, RateLimiterRedis>();
  const limiter = (name: TRateLimitName): RateLimiterRedis => {
    let l = limiters.get(name);
    if (!l) {
      const { points, durationSeconds } = rules[name];
      const keyPrefix = keys.rateLimit(name);
      l = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points,
        duration: durationSeconds,
        // While Redis is not connected, go straight to the insurance limiter.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
      });
      limiters.set(name, l);
    }
    return l;
  };

  async function take(name: TRateLimitName, key: string): Promise<boolean> {
    try {
      await limiter(name).consume(key);
      return true;
    } catch (res) {
      if (res instanceof RateLimiterRes) return false;
      throw new AppError("UNAVAILABLE", "rate limiter is unavailable; retry later", { cause: res });
    }
  }

  return {
    rules,
    take,
    async enforce(name, key) {
      if (!(await take(name, key))) throw new AppError("RATE_LIMITED", rules[name].message);
    },
    async reset(name, key) {
      await limiter(name).delete(key);
    },
  };
}
