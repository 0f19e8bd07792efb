// Brute-force protection for every path that checks a password or a refresh
// token (REST token, browser sign-in, sign-up, refresh), keyed by client IP
// and by account:
// - per IP: one shared budget for all credential attempts (rate-limits.ts `signIn`);
// - per account: failures slow the next attempt down (after 5 failures, each
//   further attempt waits 1, 2, 4 … up to 30 s after the previous failure),
//   then a short lockout (20 failures in 15 min → 10 min); a success clears it.
// The account lockout is short on purpose: an attacker who knows your email
// can delay you by minutes, never for long.
import { AppError } from "@relay/shared/errors";
import type { CoreDeps } from "../deps";

const FREE_FAILURES = 5;
const MAX_BACKOFF_SECONDS = 30;

export type CredentialGuardDeps = Pick<CoreDeps, "limits">;

const accountKey = (email: string) => email.trim().toLowerCase();

/** Call before checking credentials; RATE_LIMITED (with how long to wait) when refused. */
export async function guardCredentialAttempt(
  deps: CredentialGuardDeps,
  input: { ip: string; account?: string },
): Promise<void> {
  await deps.limits.enforce("signIn", input.ip);
  if (!input.account) return;
  const key = accountKey(input.account);
  const [failures, backoff] = await Promise.all([
    deps.limits.peek("signInFailures", key),
    deps.limits.peek("signInBackoff", key),
  ]);
  const retryInMs = Math.max(failures.retryInMs, backoff.retryInMs);
  if (retryInMs > 0) {
    const rule = failures.retryInMs > 0 ? "signInFailures" : "signInBackoff";
    throw new AppError(
      "RATE_LIMITED",
      `${deps.limits.rules[rule].message} (retry in ${Math.ceil(retryInMs / 1000)} s)`,
      { details: { retryAfterSeconds: Math.ceil(retryInMs / 1000) } },
    );
  }
}

/** A wrong password (or unknown account) for `account`. */
export async function recordCredentialFailure(
  deps: CredentialGuardDeps,
  account: string,
): Promise<void> {
  const key = accountKey(account);
  const { consumed } = await deps.limits.peek("signInFailures", key);
  // take() counts the failure; past the rule's points it starts the lockout.
  await deps.limits.take("signInFailures", key);
  const n = consumed + 1;
  if (n >= FREE_FAILURES)
    await deps.limits.block(
      "signInBackoff",
      key,
      Math.min(MAX_BACKOFF_SECONDS, 2 ** (n - FREE_FAILURES)),
    );
}

/** A successful sign-in: the account's failures are forgiven. */
export async function clearCredentialFailures(
  deps: CredentialGuardDeps,
  account: string,
): Promise<void> {
  const key = accountKey(account);
  await Promise.all([
    deps.limits.reset("signInFailures", key),
    deps.limits.reset("signInBackoff", key),
  ]);
}
