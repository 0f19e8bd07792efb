// Brute force through the browser's sign-in (next-auth's credentials
// callback, which the outside probe hit 45 times in 0.6 s) and the REST token
// route: one guard behind both, counting failures per account.
import { describe, expect, it } from "vitest";
import { POST as token } from "../src/app/api/v1/auth/token/route";
import { browserSignIn as signIn, call, newAccount, PASSWORD, randomIp } from "./helpers";

const browserSignIn = async (email: string, password: string) =>
  (await signIn(email, password)).code;

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
            headers: { "x-relay-client-ip": randomIp() },
          })
        ).status,
      ).toBe(401);
    expect(await browserSignIn(me.email, "nope")).toBe("invalid");
    expect(await browserSignIn(me.email, "nope")).toBe("invalid"); // the 5th failure
    const rest = await call(token, {
      body: { email: me.email, password: PASSWORD },
      headers: { "x-relay-client-ip": randomIp() },
    });
    expect(rest.status).toBe(429);
  });
});
