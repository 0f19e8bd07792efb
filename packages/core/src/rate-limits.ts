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
  /** Once over the limit, the key stays refused this long (0: until the window ends). */
  blockSeconds?: number;
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
  /**
   * Socket.IO handshakes per client IP (every node shares the count): a
   * flood of connection attempts costs token checks and presence writes.
   * Generous, because many people can share one address (NAT, offices).
   */
  handshake: {
    points: 600,
    durationSeconds: 10,
    message: "too many connection attempts from this address; retry shortly",
  },
  /** POST /reports per user. */
  report: { points: 10, durationSeconds: 600, message: "too many reports; try again later" },
  /** POST /auth/signup per client IP. */
  signUp: { points: 10, durationSeconds: 600, message: "too many attempts, try again later" },
  /**
   * Every credential attempt (REST token, browser sign-in, sign-up, refresh)
   * per client IP: one shared budget, so rotating paths buys nothing.
   */
  signIn: { points: 30, durationSeconds: 60, message: "too many attempts, try again later" },
  /**
   * Failed password checks per account: after 20 within 15 minutes the account
   * is locked for 10 minutes (short, so an attacker cannot lock a victim out
   * for long); a successful sign-in clears it. Slow-down before that: see
   * auth/credential-guard.ts.
   */
  signInFailures: {
    points: 20,
    durationSeconds: 15 * 60,
    blockSeconds: 10 * 60,
    message: "too many failed sign-ins for this account; try again in a few minutes",
  },
  /** The per-account slow-down between failed attempts (blocked for a growing time after each). */
  signInBackoff: {
    points: 1,
    durationSeconds: 1,
    message: "too many failed sign-ins; wait a moment before trying again",
  },
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
  /** Points used by `key` in its current window and ms until the key is allowed again (0 when it is). */
  peek(name: TRateLimitName, key: string): Promise<{ consumed: number; retryInMs: number }>;
  /** Refuses `key` for `seconds` from now. */
  block(name: TRateLimitName, key: string, seconds: number): Promise<void>;
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
      const { points, durationSeconds, blockSeconds = 0 } = rules[name];
      const keyPrefix = keys.rateLimit(name);
      l = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points,
        duration: durationSeconds,
        blockDuration: blockSeconds,
        // While Redis is not connected, go straight to the insurance limiter.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({
          keyPrefix,
          points,
          duration: durationSeconds,
          blockDuration: blockSeconds,
        }),
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
    async peek(name, key) {
      const res = await limiter(name).get(key);
      if (!res) return { consumed: 0, retryInMs: 0 };
      const over = res.consumedPoints > rules[name].points;
      return { consumed: res.consumedPoints, retryInMs: over ? res.msBeforeNext : 0 };
    },
    async block(name, key, seconds) {
      await limiter(name).block(key, seconds);
    },
  };
}
