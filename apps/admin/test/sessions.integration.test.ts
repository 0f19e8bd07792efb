// Signing out of the console ends the session on the server: a copy of the
// console cookie taken before sign-out gets /signin on every page and 401
// from every route, next-auth will not renew it, and the staff member's other
// sessions live on. "Sign out everywhere" (from the web client or the API)
// ends console sessions too. Real cookies from next-auth's own handlers.
import { describe, expect, it, vi } from "vitest";
import { signOutEverywhere } from "@relay/core";
import UsersPage from "../src/app/(console)/users/page";
import * as OpsRoute from "../src/app/api/ops/route";
import { handlers } from "../src/auth";
import { signOutAction } from "../src/server/actions/account";
import { SESSION_COOKIE } from "../src/server/session";
import { deps, outcomeOf, randomIp, signInOverHttp, staffSession } from "./helpers";
import { actAs } from "./request";

vi.mock("next/headers", async () => (await import("./request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("./request")).nextCacheMock);

const ORIGIN = "http://localhost:3001";
const page = () => outcomeOf(() => UsersPage({ searchParams: Promise.resolve({}) }));
const ops = (cookie: string) =>
  OpsRoute.GET(new Request(`${ORIGIN}/api/ops`, { headers: { cookie } }));

/** The console's sign-out over HTTP, as next-auth's POST /api/auth/signout (with its CSRF token). */
async function signOutOverHttp(sessionCookie: string): Promise<Response> {
  const csrf = await handlers.GET(
    new Request(`${ORIGIN}/api/auth/csrf`) as Parameters<typeof handlers.GET>[0],
  );
  const csrfCookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  return handlers.POST(
    new Request(`${ORIGIN}/api/auth/signout`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [sessionCookie, ...csrfCookies].join("; "),
        "x-relay-client-ip": randomIp(),
      },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${ORIGIN}/signin` }),
    }) as Parameters<typeof handlers.POST>[0],
  );
}

/** next-auth's GET /api/auth/session: whether it still knows the session and re-issues its cookie. */
async function nextAuthSession(cookie: string) {
  const res = await handlers.GET(
    new Request(`${ORIGIN}/api/auth/session`, { headers: { cookie } }) as Parameters<
      typeof handlers.GET
    >[0],
  );
  const renewed = res.headers
    .getSetCookie()
    .some((c) => c.startsWith(`${SESSION_COOKIE}=`) && !c.startsWith(`${SESSION_COOKIE}=;`));
  return { body: (await res.json()) as unknown, renewed };
}

describe("console sign-out then reuse the cookie", () => {
  it("the sign-out button (server action) ends the session: pages go to /signin, routes 401", async () => {
    const { cookie } = await staffSession("MODERATOR");
    actAs(cookie, { host: "localhost:3001" });
    expect(await page()).toEqual({ kind: "rendered" });
    expect((await ops(cookie)).status).toBe(200);

    expect(await outcomeOf(() => signOutAction())).toEqual({
      kind: "redirect",
      to: expect.stringMatching(/\/signin$/) as unknown,
    });

    actAs(cookie);
    expect(await page()).toEqual({ kind: "redirect", to: "/signin" });
    const refused = await ops(cookie);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: "UNAUTHORIZED" } });
  });

  it("over HTTP too; next-auth will not renew the copy; the other console session lives on", async () => {
    const { user, cookie } = await staffSession("ADMIN");
    const other = await signInOverHttp({ email: user.email });
    expect((await nextAuthSession(cookie)).renewed).toBe(true);

    const res = await signOutOverHttp(cookie);
    expect(res.status).toBeLessThan(400);

    expect(await nextAuthSession(cookie)).toEqual({ body: null, renewed: false });
    actAs(cookie);
    expect(await page()).toEqual({ kind: "redirect", to: "/signin" });
    actAs(other.cookie);
    expect(await page()).toEqual({ kind: "rendered" });
  });

  it("sign out everywhere ends console sessions too", async () => {
    const { user, cookie } = await staffSession("MODERATOR");
    await new Promise((r) => setTimeout(r, 2));
    await signOutEverywhere(deps(), user.id);
    actAs(cookie);
    expect(await page()).toEqual({ kind: "redirect", to: "/signin?revoked=logged_out" });
    expect((await ops(cookie)).status).toBe(401);
    const again = await signInOverHttp({ email: user.email });
    actAs(again.cookie);
    expect(await page()).toEqual({ kind: "rendered" });
  });
});
