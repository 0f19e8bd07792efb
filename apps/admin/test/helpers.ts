// Accounts, real console sessions and the outcome of a Next.js call.
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import type { User } from "@relay/core";
import { createTestUser, TEST_PASSWORD } from "@relay/core/testing";
import { handlers } from "../src/auth";
import { closeDeps, getDeps } from "../src/server/deps";
import { SESSION_COOKIE } from "../src/server/session";

export { TEST_PASSWORD };

afterAll(async () => {
  await closeDeps();
});

const ORIGIN = "http://localhost:3001";

export const randomIp = () =>
  `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

export const deps = () => getDeps();

export function newUser(role: User["role"] = "USER", overrides: Partial<Pick<User, "name">> = {}) {
  return createTestUser(getDeps().db, {
    role,
    name: `Admin test ${randomUUID().slice(0, 6)}`,
    ...overrides,
  });
}

/** `name=value` pairs of every Set-Cookie of a response. */
function setCookies(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    out.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
  return out;
}

export interface TSignInResult {
  /** The Cookie header carrying the console session, or null when refused. */
  cookie: string | null;
  /** All cookie names next-auth set along the way. */
  cookieNames: string[];
  /** The refusal code next-auth put in the redirect (`?code=`), if any. */
  code: string | null;
}

/**
 * Signs in through next-auth's own route handler, exactly as the browser's
 * form does over HTTP: fetch the CSRF token, post the credentials to
 * /api/auth/callback/credentials, keep the cookies it sets.
 */
export async function signInOverHttp(creds: {
  email: string;
  password?: string;
  totp?: string;
}): Promise<TSignInResult> {
  const csrfRes = await handlers.GET(
    new Request(`${ORIGIN}/api/auth/csrf`) as Parameters<typeof handlers.GET>[0],
  );
  const jar = setCookies(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await handlers.POST(
    new Request(`${ORIGIN}/api/auth/callback/credentials`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
        // A fresh address per sign-in: the per-IP credential budget is core's, tested there.
        "x-relay-client-ip": randomIp(),
      },
      body: new URLSearchParams({
        csrfToken,
        email: creds.email,
        password: creds.password ?? TEST_PASSWORD,
        totp: creds.totp ?? "",
        callbackUrl: `${ORIGIN}/users`,
      }),
    }) as Parameters<typeof handlers.POST>[0],
  );
  for (const [k, v] of setCookies(res)) jar.set(k, v);
  const location = res.headers.get("location") ?? "";
  const session = jar.get(SESSION_COOKIE);
  return {
    cookie: session ? `${SESSION_COOKIE}=${session}` : null,
    cookieNames: [...jar.keys()],
    code: location ? new URL(location).searchParams.get("code") : null,
  };
}

/** A signed-in console session of a fresh account of `role` (signed in while staff). */
export async function staffSession(role: "MODERATOR" | "ADMIN") {
  const user = await newUser(role);
  const { cookie, code } = await signInOverHttp({ email: user.email });
  if (!cookie) throw new Error(`${role} could not sign in: ${code ?? "no code"}`);
  return { user, cookie };
}

export type TOutcome =
  | { kind: "rendered" }
  | { kind: "forbidden" }
  | { kind: "notFound" }
  | { kind: "redirect"; to: string }
  | { kind: "error"; error: unknown };

/** What Next.js would do with a page/layout call: render it, or the 403 / 404 / redirect it threw. */
export async function outcomeOf(render: () => Promise<unknown>): Promise<TOutcome> {
  try {
    await render();
    return { kind: "rendered" };
  } catch (error) {
    const digest = (error as { digest?: unknown }).digest;
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;403") return { kind: "forbidden" };
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;404") return { kind: "notFound" };
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT;"))
      return { kind: "redirect", to: digest.split(";")[2]! };
    return { kind: "error", error };
  }
}

/** A form as the browser posts it. */
export function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}
