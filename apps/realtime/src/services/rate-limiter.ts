// Token bucket per user in Redis (shared by every node): `rate` tokens per
// second, at most `burst` saved up. One atomic script call per check.
import type { Redis } from "ioredis";

const TOKEN_BUCKET = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return allowed`;

export function createRateLimiter(redis: Redis, opts: { ratePerSecond: number; burst: number }) {
  return {
    /** True when the caller may proceed (a token was taken). */
    async take(key: string): Promise<boolean> {
      const allowed = (await redis.eval(
        TOKEN_BUCKET,
        1,
        key,
        opts.ratePerSecond,
        opts.burst,
        Date.now(),
      )) as number;
      return allowed === 1;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
