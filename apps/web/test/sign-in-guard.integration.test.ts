// Brute force through the browser's sign-in (next-auth's credentials
// callback, which the outside probe hit 45 times in 0.6 s) and the REST token
// route: one guard behind both, counting failures per account.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { POST as token } from "../src/app/api/v1/auth/token/route";
import { handlers } from "../src/auth";
import { call, newAccount, PASSWORD, randomIp } from "./helpers";

const BASE = "http://localhost:3000";

/** One browser sign-in attempt, as the sign-in form posts it; returns next-auth's error code or "ok". */
async function browserSignIn(email: string, password: string): Promise<string> {
  const ip = randomIp();
  const csrfRes = await handlers.GET(
    new NextRequest(`${BASE}/api/auth/csrf`, { headers: { "x-real-ip": ip } }),
  );
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const cookie = (csrfRes.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  const res = await handlers.POST(
    new NextRequest(`${BASE}/api/auth/callback/credentials`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie,
        "x-real-ip": ip,
        "x-auth-return-redirect": "1",
      },
      body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${BASE}/chat` }),
    }),
  );
  const location =
    res.headers.get("location") ?? ((await res.json()) as { url?: string }).url ?? "";
  const code = new URL(location, BASE).searchParams.get("code");
  return code ?? (new URL(location, BASE).searchParams.get("error") ? "error" : "ok");
}

describe("sign-in brute force", () => {
  it("slows the browser sign-in down per account, and the right password waits too", async () => {
    const me = await newAccount();
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push(await browserSignIn(me.email, "wrong password"));
    expect(codes.slice(0, 5)).toEqual(Array(5).fill("invalid"));
    expect(codes.slice(5)).toEqual(["rate_limited", "rate_limited"]);
    expect(await browserSignIn(me.email, PASSWORD)).toBe("rate_limited");
  });

  it("counts REST and browser failures against the same account", async () => {
    const me = await newAccount();
    for (let i = 0; i < 3; i++)
      expect(
        (
          await call(token, {
            body: { email: me.email, password: "nope" },
            headers: { "x-real-ip": randomIp() },
          })
        ).status,
      ).toBe(401);
    expect(await browserSignIn(me.email, "nope")).toBe("invalid");
    expect(await browserSignIn(me.email, "nope")).toBe("invalid"); // the 5th failure
    const rest = await call(token, {
      body: { email: me.email, password: PASSWORD },
      headers: { "x-real-ip": randomIp() },
    });
    expect(rest.status).toBe(429);
  });
});
