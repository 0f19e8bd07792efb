// Sign-out ends the session on the server (security finding: the 30-day cookie
// kept working after sign-out). Real next-auth cookies from next-auth's own
// sign-in and sign-out handlers, the real route handlers, Postgres and Redis:
// a copy of the cookie taken before sign-out is refused by REST, by the
// realtime-token route, by next-auth's own session endpoint and by the pages;
// "sign out everywhere" ends every other session, refresh token and Bearer
// token of the account.
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { ZRealtimeTokenSchema, ZTokenPairSchema } from "@relay/shared/schemas";
import { GET as realtimeToken } from "../src/app/api/v1/auth/realtime-token/route";
import { POST as refresh } from "../src/app/api/v1/auth/refresh/route";
import { GET as listConversations } from "../src/app/api/v1/conversations/route";
import { POST as revokeAll } from "../src/app/api/v1/me/sessions/revoke-all/route";
import ChatPage from "../src/app/chat/page";
import { handlers } from "../src/auth";
import { bodyOf, browserSignIn, call, errorOf, newAccount, PASSWORD, randomIp } from "./helpers";

// Server components read the request through next/headers; here it is the cookie set below.
const request = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: () =>
    Promise.resolve(
      new Headers({
        host: "localhost:3000",
        "x-forwarded-proto": "http",
        ...(request.cookie ? { cookie: request.cookie } : {}),
      }),
    ),
  cookies: () =>
    Promise.resolve({
      get: () => undefined,
      getAll: () => [],
      has: () => false,
      set: () => undefined,
      delete: () => undefined,
    }),
}));

const BASE = "http://localhost:3000";
const SAME_ORIGIN = { origin: BASE, "sec-fetch-site": "same-origin" };
const REVOKED = { code: "UNAUTHORIZED", message: "session revoked; sign in again" };

/** Sign-out as the web client's button does it: next-auth's CSRF token, then POST /api/auth/signout. */
async function browserSignOut(cookie: string): Promise<Response> {
  const ip = randomIp();
  const csrf = await handlers.GET(
    new NextRequest(`${BASE}/api/auth/csrf`, { headers: { cookie, "x-relay-client-ip": ip } }),
  );
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  return handlers.POST(
    new NextRequest(`${BASE}/api/auth/signout`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie,
        "x-relay-client-ip": ip,
        "x-auth-return-redirect": "1",
      },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${BASE}/signin` }),
    }),
  );
}

/** next-auth's own GET /api/auth/session with a cookie: the session (or null) and whether it re-issued the cookie. */
async function nextAuthSession(cookie: string) {
  const res = await handlers.GET(
    new NextRequest(`${BASE}/api/auth/session`, { headers: { cookie } }),
  );
  const sessionCookies = res.headers
    .getSetCookie()
    .filter((c) => c.startsWith("authjs.session-token="));
  return {
    body: (await res.json()) as { user?: { id?: string } } | null,
    renewed: sessionCookies.some((c) => !/^authjs\.session-token=;/.test(c)),
    cleared: sessionCookies.some((c) => /^authjs\.session-token=;/.test(c)),
  };
}

/** What Next.js does with a page: render it, or the redirect it threw. */
async function pageOutcome(cookie: string) {
  request.cookie = cookie;
  try {
    await ChatPage();
    return "rendered";
  } catch (err) {
    const digest = (err as { digest?: unknown }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT;"))
      return `redirect ${digest.split(";")[2]}`;
    throw err;
  }
}

async function signedIn() {
  const me = await newAccount();
  const { code, cookie } = await browserSignIn(me.email, PASSWORD);
  expect(code).toBe("ok");
  return { me, cookie };
}

describe("sign-out then reuse the cookie", () => {
  it("REST and realtime-token answer 200 before and 401 after, with the contract's envelope", async () => {
    const { cookie } = await signedIn();
    expect((await call(listConversations, { headers: { cookie } })).status).toBe(200);
    const minted = await call(realtimeToken, { headers: { cookie } });
    expect(minted.status).toBe(200);
    const socketToken = bodyOf(minted, ZRealtimeTokenSchema).token;

    const out = await browserSignOut(cookie);
    expect(out.status).toBeLessThan(400);
    // next-auth clears the browser's cookie…
    expect(out.headers.getSetCookie().some((c) => /^authjs\.session-token=;/.test(c))).toBe(true);

    // …but a copy taken before is refused everywhere.
    for (const handler of [listConversations, realtimeToken]) {
      const res = await call(handler, { headers: { cookie } });
      expect(res.status).toBe(401);
      expect(errorOf(res)).toEqual(REVOKED);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    // So is the realtime token minted from the session, as a Bearer token.
    const bearer = await call(listConversations, { token: socketToken });
    expect([bearer.status, errorOf(bearer)]).toEqual([401, REVOKED]);
  });

  it("next-auth's session endpoint no longer knows it and will not renew it", async () => {
    const { me, cookie } = await signedIn();
    const before = await nextAuthSession(cookie);
    expect(before.body?.user?.id).toBe(me.id);
    expect(before.renewed).toBe(true);
    await browserSignOut(cookie);
    const after = await nextAuthSession(cookie);
    expect(after.body).toBeNull();
    expect(after.renewed).toBe(false);
    expect(after.cleared).toBe(true);
  });

  it("a server-rendered page treats the copied cookie as signed out: redirect to /signin", async () => {
    const { cookie } = await signedIn();
    expect(await pageOutcome(cookie)).toBe("rendered");
    await browserSignOut(cookie);
    expect(await pageOutcome(cookie)).toBe("redirect /signin");
  });

  it("ends only that session: the account's other browser and API sessions keep working", async () => {
    const { me, cookie } = await signedIn();
    const other = await browserSignIn(me.email, PASSWORD);
    await browserSignOut(cookie);
    expect((await call(listConversations, { headers: { cookie } })).status).toBe(401);
    expect((await call(listConversations, { headers: { cookie: other.cookie } })).status).toBe(200);
    expect((await call(listConversations, { token: me.accessToken })).status).toBe(200);
    expect((await call(refresh, { body: { refreshToken: me.refreshToken } })).status).toBe(200);
    // Signing in again gives a fresh session.
    const again = await browserSignIn(me.email, PASSWORD);
    expect((await call(listConversations, { headers: { cookie: again.cookie } })).status).toBe(200);
  });
});

describe("POST /api/v1/me/sessions/revoke-all (sign out everywhere)", () => {
  it("ends every session: both browsers, the refresh token and the Bearer tokens issued before", async () => {
    const { me, cookie } = await signedIn();
    const second = await browserSignIn(me.email, PASSWORD);
    const secondToken = bodyOf(
      await call(realtimeToken, { headers: { cookie: second.cookie } }),
      ZRealtimeTokenSchema,
    ).token;
    expect((await call(listConversations, { headers: { cookie: second.cookie } })).status).toBe(
      200,
    );
    await new Promise((r) => setTimeout(r, 2)); // strictly after every issue time above

    const res = await call(revokeAll, { method: "POST", headers: { cookie, ...SAME_ORIGIN } });
    expect(res.status).toBe(204);

    for (const opts of [
      { headers: { cookie } },
      { headers: { cookie: second.cookie } },
      { token: me.accessToken },
      { token: secondToken },
    ]) {
      const refused = await call(listConversations, opts);
      expect([refused.status, errorOf(refused)]).toEqual([401, REVOKED]);
    }
    expect((await call(realtimeToken, { headers: { cookie: second.cookie } })).status).toBe(401);
    expect(await pageOutcome(second.cookie)).toBe("redirect /signin?revoked=logged_out");
    const renewed = await call(refresh, { body: { refreshToken: me.refreshToken } });
    expect(renewed.status).toBe(401);

    // A new sign-in works at once.
    const again = await browserSignIn(me.email, PASSWORD);
    expect((await call(listConversations, { headers: { cookie: again.cookie } })).status).toBe(200);
  });

  it("works with a Bearer token too (API clients), which dies with the rest", async () => {
    const me = await newAccount();
    const { cookie } = await browserSignIn(me.email, PASSWORD);
    await new Promise((r) => setTimeout(r, 2));
    expect((await call(revokeAll, { method: "POST", token: me.accessToken })).status).toBe(204);
    expect((await call(listConversations, { token: me.accessToken })).status).toBe(401);
    expect((await call(listConversations, { headers: { cookie } })).status).toBe(401);
    const pair = await call(refresh, { body: { refreshToken: me.refreshToken } });
    expect(pair.status).toBe(401);
    expect(() => bodyOf(pair, ZTokenPairSchema)).toThrow();
  });

  it("is refused from another site with the cookie (CSRF), and nothing is revoked", async () => {
    const { cookie } = await signedIn();
    const res = await call(revokeAll, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect([res.status, errorOf(res)]).toEqual([
      403,
      { code: "FORBIDDEN", message: "cross-site request refused" },
    ]);
    expect((await call(listConversations, { headers: { cookie } })).status).toBe(200);
  });

  it("is 401 without a caller", async () => {
    const res = await call(revokeAll, { method: "POST" });
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe("UNAUTHORIZED");
  });
});
