// The credential guard against the real Redis: an IP budget shared by every
// credential path, per-account slow-down after failures, a short lockout,
// and forgiveness on success.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@relay/shared/errors";
import { createTestUser, openTestStores, TEST_PASSWORD } from "../testing";
import { signInWithPassword } from "../users/users";
import { guardCredentialAttempt, recordCredentialFailure } from "./credential-guard";

const s = openTestStores();
afterAll(() => s.close());

const ip = () => `203.0.113.${Math.floor(Math.random() * 250)}-${randomUUID().slice(0, 6)}`;
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

describe("the credential guard", () => {
  it("slows an account down after 5 failures, whatever the IP, and a success clears it", async () => {
    const user = await createTestUser(s.db);
    const wrong = () => signInWithPassword(s, { email: user.email, password: "nope", ip: ip() });
    for (let i = 0; i < 5; i++) expect(await outcome(wrong())).toBe("UNAUTHORIZED");
    // The 5th failure started a back-off: even the right password from a fresh IP waits.
    const right = () =>
      signInWithPassword(s, { email: user.email, password: TEST_PASSWORD, ip: ip() });
    const refused = await right().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("RATE_LIMITED");
    expect((refused as AppError).message).toMatch(/retry in \d+ s/);
    // Once the back-off (1 s after the 5th failure) is over, the right password works and clears it.
    await expect.poll(() => outcome(right()), { timeout: 3_000, interval: 250 }).toBe("ok");
    expect(await s.limits.peek("signInFailures", user.email)).toEqual({
      consumed: 0,
      retryInMs: 0,
    });
  });

  it("locks an account for a short while after 20 failures", async () => {
    const account = `nobody-${randomUUID()}@test.relay`;
    for (let i = 0; i < 21; i++) await recordCredentialFailure(s, account);
    const { retryInMs } = await s.limits.peek("signInFailures", account);
    expect(retryInMs).toBeGreaterThan(9 * 60_000); // the 10-minute lockout
    expect(retryInMs).toBeLessThanOrEqual(10 * 60_000);
    expect(await outcome(guardCredentialAttempt(s, { ip: ip(), account }))).toBe("RATE_LIMITED");
  });

  it("gives each IP one budget across credential paths", async () => {
    const from = ip();
    const budget = s.limits.rules.signIn.points;
    for (let i = 0; i < budget; i++) await guardCredentialAttempt(s, { ip: from });
    expect(
      await outcome(guardCredentialAttempt(s, { ip: from, account: `a-${randomUUID()}@x.y` })),
    ).toBe("RATE_LIMITED");
    expect(await outcome(guardCredentialAttempt(s, { ip: ip() }))).toBe("ok");
  });
});
