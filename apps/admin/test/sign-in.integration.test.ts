// Signing in to the console through next-auth's own route handler (the same
// HTTP exchange the browser's form makes): who is refused and why, the
// cookies' names, what the session carries, and the TOTP second factor.
import { decode } from "next-auth/jwt";
import { generate } from "otplib";
import { describe, expect, it, vi } from "vitest";
import { newTotpEnrollment } from "@relay/core";
import UsersPage from "../src/app/(console)/users/page";
import { IDLE } from "../src/server/action-state";
import { enableTotpAction } from "../src/server/actions/account";
import { SESSION_COOKIE } from "../src/server/session";
import { authorizeStaff } from "../src/server/sign-in";
import { deps, form, newUser, outcomeOf, signInOverHttp, staffSession } from "./helpers";
import { actAs } from "./request";

vi.mock("next/headers", async () => (await import("./request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("./request")).nextCacheMock);

/** A 6-digit code that is not valid for `secret` in the current ±30 s window. */
async function wrongCodeFor(secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const valid = new Set(
    await Promise.all([-60, -30, 0, 30, 60].map((d) => generate({ secret, epoch: now + d }))),
  );
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!valid.has(code)) return code;
  }
}

describe("sign-in", () => {
  it("refuses an account that is not staff, without a session", async () => {
    const user = await newUser("USER");
    const res = await signInOverHttp({ email: user.email });
    expect(res).toMatchObject({ cookie: null, code: "not_staff" });
  });

  it("refuses a wrong password, an unknown email, a banned moderator", async () => {
    const mod = await newUser("MODERATOR");
    expect(await signInOverHttp({ email: mod.email, password: "not the password" })).toMatchObject({
      cookie: null,
      code: "invalid",
    });
    expect(await signInOverHttp({ email: "nobody@test.relay" })).toMatchObject({
      cookie: null,
      code: "invalid",
    });
    await deps().db.user.update({ where: { id: mod.id }, data: { status: "BANNED" } });
    expect(await signInOverHttp({ email: mod.email })).toMatchObject({
      cookie: null,
      code: "banned",
    });
  });

  it("signs staff in with the console's own cookie names and the claims the pages need", async () => {
    const mod = await newUser("MODERATOR");
    const t0 = Date.now();
    const res = await signInOverHttp({ email: mod.email });
    expect(res.code).toBeNull();
    expect(res.cookie).toMatch(new RegExp(`^${SESSION_COOKIE.replace(".", "\\.")}=`));
    // None of next-auth's default names (authjs.*), which the web client uses on the same host.
    expect(res.cookieNames.sort()).toEqual([
      "relay-admin.callback-url",
      "relay-admin.csrf-token",
      "relay-admin.session-token",
    ]);
    const claims = await decode({
      token: res.cookie!.slice(SESSION_COOKIE.length + 1),
      secret: deps().env.AUTH_SECRET,
      salt: SESSION_COOKIE,
    });
    expect(claims).toMatchObject({ uid: mod.id, role: "MODERATOR", needsTotpEnrollment: false });
    expect(claims?.signedInAt).toBeGreaterThanOrEqual(t0);
    expect(claims?.signedInAt).toBeLessThanOrEqual(Date.now());
  });

  it("asks enrolled staff for the authenticator code, refuses a wrong one, accepts the right one", async () => {
    const { user, cookie } = await staffSession("ADMIN");
    const { secret } = newTotpEnrollment(user.email);
    actAs(cookie);
    // Enrolment needs a code from the secret first.
    expect(
      await enableTotpAction(IDLE, form({ secret, code: await wrongCodeFor(secret) })),
    ).toMatchObject({ status: "error", code: "INVALID_PAYLOAD" });
    expect(
      await enableTotpAction(IDLE, form({ secret, code: await generate({ secret }) })),
    ).toMatchObject({ status: "ok" });

    expect(await signInOverHttp({ email: user.email })).toMatchObject({
      cookie: null,
      code: "totp_required",
    });
    expect(
      await signInOverHttp({ email: user.email, totp: await wrongCodeFor(secret) }),
    ).toMatchObject({ cookie: null, code: "totp_wrong" });
    expect(await signInOverHttp({ email: user.email, totp: "12ab" })).toMatchObject({
      cookie: null,
      code: "totp_wrong",
    });
    const ok = await signInOverHttp({ email: user.email, totp: await generate({ secret }) });
    expect(ok.code).toBeNull();
    actAs(ok.cookie);
    expect(await outcomeOf(() => UsersPage({ searchParams: Promise.resolve({}) }))).toEqual({
      kind: "rendered",
    });
  });

  it("passes on core's credential guard: repeated wrong passwords slow the account down", async () => {
    const mod = await newUser("MODERATOR");
    for (let i = 0; i < 5; i++)
      expect(await signInOverHttp({ email: mod.email, password: "wrong" })).toMatchObject({
        code: "invalid",
      });
    expect(await signInOverHttp({ email: mod.email })).toMatchObject({
      cookie: null,
      code: "rate_limited",
    });
  });

  it("marks an admin without TOTP for enrolment when ADMIN_REQUIRE_2FA is on (moderators are not)", async () => {
    const admin = await newUser("ADMIN");
    const mod = await newUser("MODERATOR");
    const strict = { ...deps(), env: { ...deps().env, ADMIN_REQUIRE_2FA: true } };
    const creds = (email: string) => ({ email, password: "correct horse battery" });
    expect(await authorizeStaff(strict, creds(admin.email))).toMatchObject({
      role: "ADMIN",
      needsTotpEnrollment: true,
    });
    expect(await authorizeStaff(strict, creds(mod.email))).toMatchObject({
      needsTotpEnrollment: false,
    });
    expect(await authorizeStaff(deps(), creds(admin.email))).toMatchObject({
      needsTotpEnrollment: false,
    });
  });
});
