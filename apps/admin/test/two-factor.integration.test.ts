// ADMIN_REQUIRE_2FA=true: an admin without an authenticator app is held at
// /account/2fa — every other page redirects there, routes answer 403, actions
// redirect — until they enrol; moderators are not held.
import { generate } from "otplib";
import { describe, expect, it, vi } from "vitest";
import { newTotpEnrollment } from "@relay/core";
import TwoFactorPage from "../src/app/(console)/account/2fa/page";
import ReportsPage from "../src/app/(console)/reports/page";
import UsersPage from "../src/app/(console)/users/page";
import * as OpsRoute from "../src/app/api/ops/route";
import { IDLE } from "../src/server/action-state";
import { enableTotpAction } from "../src/server/actions/account";
import { banUserAction } from "../src/server/actions/users";
import { form, newUser, outcomeOf, staffSession } from "./helpers";
import { actAs } from "./request";

vi.hoisted(() => {
  process.env.ADMIN_REQUIRE_2FA = "true";
});
vi.mock("next/headers", async () => (await import("./request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("./request")).nextCacheMock);

const users = () => UsersPage({ searchParams: Promise.resolve({}) });
const reports = () => ReportsPage({ searchParams: Promise.resolve({}) });

describe("ADMIN_REQUIRE_2FA=true", () => {
  it("holds an admin at /account/2fa until they enrol, then lets them in", async () => {
    const { user, cookie } = await staffSession("ADMIN");
    actAs(cookie);
    expect(await outcomeOf(users)).toEqual({ kind: "redirect", to: "/account/2fa" });
    expect(await outcomeOf(reports)).toEqual({ kind: "redirect", to: "/account/2fa" });
    expect(await outcomeOf(TwoFactorPage)).toEqual({ kind: "rendered" });
    const ops = await OpsRoute.GET(
      new Request("http://localhost:3001/api/ops", { headers: { cookie } }),
    );
    expect(ops.status).toBe(403);
    const victim = await newUser("USER");
    expect(
      await outcomeOf(() => banUserAction(IDLE, form({ userId: victim.id, reason: "x" }))),
    ).toEqual({ kind: "redirect", to: "/account/2fa" });

    const { secret } = newTotpEnrollment(user.email);
    expect(
      await enableTotpAction(IDLE, form({ secret, code: await generate({ secret }) })),
    ).toMatchObject({ status: "ok" });
    // The same session now works (the console reads the enrolment from Postgres).
    expect(await outcomeOf(users)).toEqual({ kind: "rendered" });
  });

  it("does not hold moderators", async () => {
    const { cookie } = await staffSession("MODERATOR");
    actAs(cookie);
    expect(await outcomeOf(users)).toEqual({ kind: "rendered" });
  });
});
