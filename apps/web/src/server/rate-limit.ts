// Per-IP fixed-window limits for the unauthenticated auth endpoints (sign-up,
// password sign-in), against credential stuffing and sign-up floods. Counters
// live in Redis (shared by every web instance). If Redis is down the limit
// fails open: logging in must not depend on the rate limiter.
import { AppError } from "@relay/shared/errors";
import type { WebDeps } from "./deps";
import { clientIp } from "./route";

/** Limits per IP; the counts come from env (AUTH_SIGNUP_LIMIT, AUTH_TOKEN_LIMIT). */
export function authRateLimits(
  env: Pick<WebDeps["env"], "AUTH_SIGNUP_LIMIT" | "AUTH_TOKEN_LIMIT">,
) {
  return {
    signup: { limit: env.AUTH_SIGNUP_LIMIT, windowSeconds: 600 },
    token: { limit: env.AUTH_TOKEN_LIMIT, windowSeconds: 60 },
  };
}

export type TAuthRateBucket = keyof ReturnType<typeof authRateLimits>;

/** RATE_LIMITED once the caller's IP used up `bucket` in the current window. */
export async function limitAuthByIp(
  deps: Pick<WebDeps, "redis" | "env">,
  req: Request,
  bucket: TAuthRateBucket,
): Promise<void> {
  const { limit, windowSeconds } = authRateLimits(deps.env)[bucket];
  const window = Math.floor(Date.now() / 1000 / windowSeconds);
  const key = `${deps.env.REDIS_PREFIX}rate:auth:${bucket}:${clientIp(req)}:${window}`;
  let count: number;
  try {
    const results = await deps.redis.multi().incr(key).expire(key, windowSeconds).exec();
    count = Number(results?.[0]?.[1] ?? 0);
  } catch (err) {
    console.warn(
      "[relay:web] auth rate limit skipped (redis):",
      err instanceof Error ? err.message : err,
    );
    return;
  }
  if (count > limit) throw new AppError("RATE_LIMITED", "too many attempts, try again later");
}
