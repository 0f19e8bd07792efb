import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ZAuthTokensSchema,
  ZRealtimeTokenSchema,
  ZTokenPairSchema,
  ZUserPublicSchema,
} from "@relay/shared/schemas";
import { GET as realtimeToken } from "../src/app/api/v1/auth/realtime-token/route";
import { POST as refresh } from "../src/app/api/v1/auth/refresh/route";
import { POST as signup } from "../src/app/api/v1/auth/signup/route";
import { POST as token } from "../src/app/api/v1/auth/token/route";
import { GET as listConversations } from "../src/app/api/v1/conversations/route";
import { loadEnv } from "../src/env";
import { getDeps } from "../src/server/deps";
import { PASSWORD, bodyOf, call, errorOf, newAccount, randomIp } from "./helpers";

/** Sign-ups per IP per window, as configured from AUTH_SIGNUP_LIMIT. */
const SIGNUP_LIMIT = loadEnv().AUTH_SIGNUP_LIMIT;

const email = () => `web-${randomUUID()}@test.relay`;

describe("POST /api/v1/auth/signup", () => {
  it("creates the user: 201 {user} with the normalized email and no secrets", async () => {
    const address = email();
    const res = await call(signup, {
      body: { email: `  ${address.toUpperCase()} `, password: PASSWORD, name: " Ada " },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body as object)).toEqual(["user"]);
    const { user } = bodyOf(res, z.object({ user: ZUserPublicSchema }));
    expect(user).toMatchObject({
      email: address,
      name: "Ada",
      role: "USER",
      status: "ACTIVE",
      lastSeenAt: null,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);
  });

  it("answers a taken email with 409 CONFLICT", async () => {
    const address = email();
    expect(
      (await call(signup, { body: { email: address, password: PASSWORD, name: "One" } })).status,
    ).toBe(201);
    const again = await call(signup, { body: { email: address, password: PASSWORD, name: "Two" } });
    expect(again.status).toBe(409);
    expect(errorOf(again).code).toBe("CONFLICT");
  });

  it("answers invalid input with 400 INVALID_PAYLOAD naming the field", async () => {
    const short = await call(signup, { body: { email: email(), password: "short", name: "Bo" } });
    expect(short.status).toBe(400);
    expect(errorOf(short)).toEqual({
      code: "INVALID_PAYLOAD",
      message: expect.stringContaining("password") as unknown,
    });
    const badEmail = await call(signup, {
      body: { email: "not-an-email", password: PASSWORD, name: "Bo" },
    });
    expect(errorOf(badEmail)).toEqual({
      code: "INVALID_PAYLOAD",
      message: expect.stringContaining("email") as unknown,
    });
    const missing = await call(signup, { body: { email: email(), password: PASSWORD } });
    expect(errorOf(missing).message).toContain("name: required");
  });

  it(`limits sign-ups per IP (${SIGNUP_LIMIT} per window) with 429 RATE_LIMITED`, async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i <= SIGNUP_LIMIT; i++) {
      const res = await call(signup, {
        body: { email: email(), password: PASSWORD, name: `Flood ${i}` },
        headers: { "x-relay-client-ip": ip },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, -1).every((s) => s === 201)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("POST /api/v1/auth/token", () => {
  it("returns {accessToken, refreshToken, expiresIn, user} for the right password", async () => {
    const me = await newAccount("Tokyo");
    const res = await call(token, { body: { email: me.email, password: PASSWORD } });
    expect(res.status).toBe(200);
    const body = bodyOf(res, ZAuthTokensSchema);
    expect(Object.keys(res.body as object).sort()).toEqual([
      "accessToken",
      "expiresIn",
      "refreshToken",
      "user",
    ]);
    expect(body.expiresIn).toBe(900);
    expect(body.user).toMatchObject({ id: me.id, email: me.email, name: "Tokyo" });
    expect((await getDeps().tokens.verifyAccess(body.accessToken)).userId).toBe(me.id);
  });

  it("answers a wrong password and an unknown email with the same 401", async () => {
    const me = await newAccount();
    const wrong = await call(token, { body: { email: me.email, password: "wrong password" } });
    const unknown = await call(token, { body: { email: email(), password: PASSWORD } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(errorOf(wrong)).toEqual(errorOf(unknown));
    expect(errorOf(wrong).code).toBe("UNAUTHORIZED");
  });

  it("refuses a suspended user with 403 FORBIDDEN, and their access tokens stop working at once", async () => {
    const me = await newAccount();
    await getDeps().db.user.update({ where: { id: me.id }, data: { status: "SUSPENDED" } });
    const res = await call(token, { body: { email: me.email, password: PASSWORD } });
    expect(res.status).toBe(403);
    expect(errorOf(res)).toEqual({ code: "FORBIDDEN", message: "account suspended" });
    const list = await call(listConversations, { token: me.accessToken });
    expect(list.status).toBe(403);
    const renewed = await call(refresh, { body: { refreshToken: me.refreshToken } });
    expect(renewed.status).toBe(403);
  });
});

describe("POST /api/v1/auth/refresh", () => {
  it("rotates the pair; reusing the old refresh token is 401 and kills the new one too", async () => {
    const me = await newAccount();
    const first = await call(refresh, { body: { refreshToken: me.refreshToken } });
    expect(first.status).toBe(200);
    const pair = bodyOf(first, ZTokenPairSchema);
    expect(Object.keys(first.body as object).sort()).toEqual([
      "accessToken",
      "expiresIn",
      "refreshToken",
    ]);
    expect(pair.refreshToken).not.toBe(me.refreshToken);
    expect((await call(listConversations, { token: pair.accessToken })).status).toBe(200);

    const reuse = await call(refresh, { body: { refreshToken: me.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(errorOf(reuse).code).toBe("UNAUTHORIZED");
    expect((await call(refresh, { body: { refreshToken: pair.refreshToken } })).status).toBe(401);
  });

  it("rejects an unknown refresh token with 401", async () => {
    const res = await call(refresh, { body: { refreshToken: "bogus" } });
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe("UNAUTHORIZED");
  });
});

describe("GET /api/v1/auth/realtime-token", () => {
  it("returns a socket token for the caller and the realtime URL (Bearer until next-auth lands)", async () => {
    const me = await newAccount();
    const res = await call(realtimeToken, { token: me.accessToken });
    expect(res.status).toBe(200);
    const body = bodyOf(res, ZRealtimeTokenSchema);
    expect(body.url).toBe(getDeps().env.REALTIME_PUBLIC_URL);
    const claims = await getDeps().tokens.verifyAccess(body.token);
    expect(claims.userId).toBe(me.id);
    expect(claims.sessionId).toBe((await getDeps().tokens.verifyAccess(me.accessToken)).sessionId);
  });

  it("is 401 without a valid token", async () => {
    const none = await call(realtimeToken);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(errorOf(none).code).toBe("UNAUTHORIZED");
    expect((await call(realtimeToken, { token: "not.a.jwt" })).status).toBe(401);
  });
});
