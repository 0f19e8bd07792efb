// Console sign-in: the credential guard covers both factors — a wrong TOTP
// code counts against the account like a wrong password, so knowing the
// password does not buy unlimited code guesses; only a full sign-in clears it.
import { randomUUID } from "node:crypto";
import { generate } from "otplib";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@relay/shared/errors";
import { createTestUser, openTestStores, TEST_PASSWORD } from "../testing";
import { authenticateStaff, enableTotp, newTotpEnrollment } from "./staff";

const s = openTestStores();
afterAll(() => s.close());
const APP_SECRET = "a".repeat(40);
const deps = { db: s.db, limits: s.limits, appSecret: APP_SECRET };
const ip = () => `198.18.0.${Math.floor(Math.random() * 250)}-${randomUUID().slice(0, 4)}`;
const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? `${e.code}: ${e.message}` : String(e)),
  );

describe("authenticateStaff", () => {
  it("refuses non-staff, asks for the code, and counts wrong codes against the account", async () => {
    const user = await createTestUser(s.db);
    expect(
      await code(
        authenticateStaff(
          deps,
          { email: user.email, password: TEST_PASSWORD, ip: ip() },
          { requireTotpForAdmins: false },
        ),
      ),
    ).toBe("FORBIDDEN: the admin console is for moderators and admins");

    const admin = await createTestUser(s.db, { role: "ADMIN" });
    const { secret } = newTotpEnrollment(admin.email);
    await enableTotp(
      deps,
      { actor: { userId: admin.id, role: "ADMIN" } },
      { secret, code: await generate({ secret }) },
    );
    const attempt = (totp?: string) =>
      code(
        authenticateStaff(
          deps,
          { email: admin.email, password: TEST_PASSWORD, ip: ip(), ...(totp ? { totp } : {}) },
          { requireTotpForAdmins: true },
        ),
      );
    expect(await attempt()).toBe("UNAUTHORIZED: totp required");
    for (let i = 0; i < 5; i++)
      expect(await attempt("000000")).toBe("UNAUTHORIZED: wrong authenticator code");
    // Five wrong codes: the account is slowed down even with the right code (from any IP).
    expect(await attempt(await generate({ secret }))).toMatch(/^RATE_LIMITED/);
    await expect
      .poll(async () => attempt(await generate({ secret })), { timeout: 4_000, interval: 300 })
      .toBe("ok");
    expect(await s.limits.peek("signInFailures", admin.email)).toEqual({
      consumed: 0,
      retryInMs: 0,
    });
  });
});
