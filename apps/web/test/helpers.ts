// Calling the REST route handlers directly, as Next.js does: a standard
// Request plus `{ params: Promise<…> }`. The handlers build their real
// dependencies (Postgres, Redis, Cassandra) from process.env on first use.
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll } from "vitest";
import type { z } from "zod";
import { ZAckErrorSchema, ZAuthTokensSchema } from "@relay/shared/schemas";
import { POST as signup } from "../src/app/api/v1/auth/signup/route";
import { POST as token } from "../src/app/api/v1/auth/token/route";
import { handlers } from "../src/auth";
import { closeDeps } from "../src/server/deps";
import type { RouteHandler } from "../src/server/route";

export const PASSWORD = "correct horse battery";

afterAll(async () => {
  await closeDeps();
});

/** A fresh documentation-range IP per request, so per-IP auth rate limits do not interfere across tests. */
export const randomIp = () =>
  `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

export interface CallOptions {
  method?: string;
  path?: string;
  /** JSON-encoded unless it is already a string (sent verbatim). */
  body?: unknown;
  token?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface CallResult {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function call<P>(
  handler: RouteHandler<P>,
  opts: CallOptions = {},
): Promise<CallResult> {
  const url = new URL(opts.path ?? "/api/v1/test", "http://localhost:3000");
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { "x-relay-client-ip": randomIp(), ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await handler(
    new Request(url, {
      method: opts.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
    }),
    {
      params: Promise.resolve((opts.params ?? {}) as P),
    },
  );
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as unknown) : null,
    headers: res.headers,
  };
}

/** The response body checked against a contract schema (fails the test on any mismatch). */
export function bodyOf<S extends z.ZodType>(res: CallResult, schema: S): z.output<S> {
  return schema.parse(res.body);
}

export interface TestAccount {
  id: string;
  email: string;
  name: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs up through the API and gets a token pair. */
export async function newAccount(
  name = `Tester ${randomUUID().slice(0, 8)}`,
): Promise<TestAccount> {
  const email = `web-${randomUUID()}@test.relay`;
  const created = await call(signup, { body: { email, password: PASSWORD, name } });
  if (created.status !== 201) throw new Error(`signup failed: ${JSON.stringify(created.body)}`);
  const tokens = await call(token, { body: { email, password: PASSWORD } });
  if (tokens.status !== 200) throw new Error(`token failed: ${JSON.stringify(tokens.body)}`);
  const pair = bodyOf(tokens, ZAuthTokensSchema);
  return {
    id: pair.user.id,
    email,
    name,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
  };
}

/** The contract's error body `{ok:false, error:{code,message}}` (fails the test otherwise). */
export function errorOf(res: CallResult): { code: string; message: string } {
  return ZAckErrorSchema.parse(res.body).error;
}

const BASE = "http://localhost:3000";

/**
 * One browser sign-in, as the sign-in form posts it (next-auth's credentials
 * callback with its CSRF token): next-auth's error code ("ok" on success) and
 * the cookies the browser would then hold.
 */
export async function browserSignIn(
  email: string,
  password: string,
): Promise<{ code: string; cookie: string }> {
  const ip = randomIp();
  const csrfRes = await handlers.GET(
    new NextRequest(`${BASE}/api/auth/csrf`, { headers: { "x-relay-client-ip": ip } }),
  );
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  keep(csrfRes);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await handlers.POST(
    new NextRequest(`${BASE}/api/auth/callback/credentials`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: cookie(),
        "x-relay-client-ip": ip,
        "x-auth-return-redirect": "1",
      },
      body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${BASE}/chat` }),
    }),
  );
  keep(res);
  const location =
    res.headers.get("location") ?? ((await res.json()) as { url?: string }).url ?? "";
  const params = new URL(location, BASE).searchParams;
  return {
    code: params.get("code") ?? (params.get("error") ? "error" : "ok"),
    cookie: cookie(),
  };
}
