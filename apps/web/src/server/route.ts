// The one wrapper every REST v1 handler goes through:
// - authentication (`Authorization: Bearer <accessToken>`, verified locally,
//   or the next-auth session cookie; then the session must not be signed out
//   or revoked and the user must still exist and be ACTIVE, so a sign-out,
//   suspension or ban takes effect at once rather than when the token or
//   cookie expires);
// - safe input: JSON bodies ≤ 64 KiB (413 PAYLOAD_TOO_LARGE), malformed JSON
//   or a non-JSON Content-Type → 400 INVALID_PAYLOAD, then the shared zod
//   schema (strict: unknown keys → INVALID_PAYLOAD);
// - errors: AppError → `{ok:false,error:{code,message}}` with
//   HTTP_STATUS_BY_CODE[code]; a store that is down → 503 UNAVAILABLE;
//   anything else → 500 INTERNAL with a generic message (logged, never sent);
// - rate limits keyed by the client IP (`limitByIp`), shared with every
//   other limit through core's rate-limiter-flexible limiters.
// Success bodies are the contract's bare shapes (`{user}`, `{accessToken,…}`,
// `{conversations}`…), not the `{ok:true,data}` ack envelope: HTTP status
// already says success, and mobile/script clients read the documented shape.
import { getToken } from "next-auth/jwt";
import type { z } from "zod";
import {
  authenticateAccessToken,
  clientIpOf,
  isStoreUnavailable,
  requireLiveSession,
  type TAccessClaims,
  type TRateLimitName,
  type User,
} from "@relay/core";
import { AppError, HTTP_STATUS_BY_CODE, fail, toErrorBody } from "@relay/shared/errors";
import { parsePayloadOrThrow } from "@relay/shared/protocol";
import { toUserRole } from "@relay/shared/schemas";
import { getDeps, type WebDeps } from "./deps";
import { webSessionOf } from "./web-session";

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface RouteContext<P> {
  req: Request;
  /** Raw path params; validate with `parseParams`. */
  params: P;
  deps: WebDeps;
}

export interface AuthedContext<P> extends RouteContext<P> {
  auth: TAccessClaims;
  /** The caller, freshly read (ACTIVE). */
  user: User;
}

/** What Next.js calls: `(request, { params })`. */
export type RouteHandler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

const NO_STORE = { "cache-control": "no-store" };

/** A JSON success response (bare body, see the header comment). */
export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status, headers: NO_STORE });
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: NO_STORE });
}

export function errorResponse(err: unknown): Response {
  const body =
    isStoreUnavailable(err) && !(err instanceof AppError)
      ? fail("UNAVAILABLE", "service temporarily unavailable")
      : toErrorBody(err);
  if (body.error.code === "INTERNAL")
    getDeps().logger.error({ err }, "unhandled error in REST handler");
  else if (body.error.code === "UNAVAILABLE") getDeps().logger.warn({ err }, "store unavailable");
  const headers: Record<string, string> = { ...NO_STORE };
  if (body.error.code === "UNAUTHORIZED") headers["www-authenticate"] = 'Bearer realm="relay"';
  return Response.json(body, { status: HTTP_STATUS_BY_CODE[body.error.code], headers });
}

async function run(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return errorResponse(err);
  }
}

/** A handler that needs no caller (sign-up, sign-in, refresh). */
export function publicRoute<P = Record<string, string>>(
  fn: (ctx: RouteContext<P>) => Promise<Response>,
): RouteHandler<P> {
  return (req, ctx) => run(async () => fn({ req, params: await ctx.params, deps: getDeps() }));
}

/** A handler for a signed-in, ACTIVE caller (UNAUTHORIZED / FORBIDDEN otherwise). */
export function authedRoute<P = Record<string, string>>(
  fn: (ctx: AuthedContext<P>) => Promise<Response>,
): RouteHandler<P> {
  return (req, ctx) =>
    run(async () => {
      const deps = getDeps();
      const bearer = bearerToken(req);
      // API clients send a Bearer access token; the browser sends its next-auth session cookie.
      const { claims, user } =
        bearer !== undefined
          ? await authenticateAccessToken(deps, bearer)
          : await sessionCaller(deps, req);
      // Cookies ride along on cross-site requests; Bearer tokens never do.
      if (bearer === undefined) assertSameOrigin(req, deps.env.WEB_URL);
      return fn({ req, params: await ctx.params, deps, auth: claims, user });
    });
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated requests that change something: the
 * browser must say the request comes from this app — `Sec-Fetch-Site:
 * same-origin`, or an `Origin` equal to the app's own (WEB_URL, or the
 * request's own origin). A form or fetch from another site is refused before
 * anything happens. Safe methods and Bearer-token requests are exempt.
 */
export function assertSameOrigin(req: Request, appUrl: string): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin") return;
  const origin = req.headers.get("origin");
  const allowed = new Set([new URL(appUrl).origin, new URL(req.url).origin]);
  if (origin && allowed.has(origin) && (site === null || site === "same-origin" || site === "none"))
    return;
  throw new AppError("FORBIDDEN", "cross-site request refused");
}

/**
 * The caller of a browser request from its next-auth session cookie (a JWT
 * encrypted with AUTH_SECRET). The session id is stable for the session, so
 * realtime tokens minted for it share one `sid`. The cookie stays valid
 * after a sign-out, so the session is checked against the revocations
 * (signed out, signed out everywhere, moderation) on every request.
 */
async function sessionCaller(
  deps: WebDeps,
  req: Request,
): Promise<{ claims: TAccessClaims; user: User }> {
  const secureCookie = new URL(req.url).protocol === "https:";
  const token = await getToken({
    req,
    secret: deps.env.AUTH_SECRET,
    secureCookie,
    salt: secureCookie ? "__Secure-authjs.session-token" : "authjs.session-token",
  });
  const session = webSessionOf(token);
  if (!session) throw new AppError("UNAUTHORIZED", "sign in or send an access token");
  const claims: TAccessClaims = {
    userId: session.userId,
    role: toUserRole(token?.role),
    sessionId: session.sessionId,
    ...(session.issuedAtMs !== undefined ? { issuedAtMs: session.issuedAtMs } : {}),
  };
  return { claims, user: await requireLiveSession(deps, session) };
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get("authorization");
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * The request body as JSON, validated by `schema`. Requires a JSON
 * Content-Type (also keeps cross-site HTML forms out once cookie sessions
 * exist), at most MAX_BODY_BYTES, valid UTF-8 and valid JSON.
 */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AppError("INVALID_PAYLOAD", "Content-Type must be application/json");
  }
  const text = await readBodyText(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("INVALID_PAYLOAD", "body: malformed JSON");
  }
  return parsePayloadOrThrow(schema, body);
}

async function readBodyText(req: Request): Promise<string> {
  const tooLarge = () =>
    new AppError("PAYLOAD_TOO_LARGE", `request body too large (max ${MAX_BODY_BYTES} bytes)`);
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("INVALID_PAYLOAD", "body: invalid UTF-8");
  }
}

/** The URL query as a plain object, validated by `schema` (strict schemas reject unknown parameters). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parsePayloadOrThrow(schema, Object.fromEntries(new URL(req.url).searchParams));
}

/** Path params validated by `schema` (e.g. uuids); a bad id is INVALID_PAYLOAD. */
export function parseParams<S extends z.ZodType>(params: unknown, schema: S): z.output<S> {
  return parsePayloadOrThrow(schema, params);
}

/** RATE_LIMITED once the caller's IP used up the `name` limit (sign-ups; sign-ins go through the credential guard). */
export async function limitByIp(
  deps: Pick<WebDeps, "limits">,
  req: Request,
  name: Extract<TRateLimitName, "signUp">,
): Promise<void> {
  await deps.limits.enforce(name, clientIp(req));
}

/** The client's address, as the front server (server.ts) resolved it. */
export function clientIp(req: Request): string {
  return clientIpOf(req.headers) ?? "unknown";
}
