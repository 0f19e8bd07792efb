// The Node server each Next.js app runs in (apps/web/server.ts,
// apps/admin/server.ts) instead of `next start`. Before Next.js sees a request:
// - the client address is resolved from the socket (and X-Forwarded-For only
//   when the peer is one of TRUSTED_PROXIES) and written to x-relay-client-ip,
//   overwriting whatever the client sent: per-IP limits and the audit log use it;
// - TRACE/TRACK/CONNECT get the contract's 405 envelope (Next.js's own server
//   fails on TRACE before any app code runs);
// - `Upgrade` is never honoured (h2c smuggling, stray websocket upgrades): such
//   a request is answered as the plain HTTP/1.1 request it also is.
// On SIGTERM it stops accepting, lets requests in flight finish, then exits.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import next from "next";
import {
  CLIENT_IP_HEADER,
  createLogger,
  loadEnvOrExit,
  logFormatFor,
  onShutdown,
  parseTrustedProxies,
  resolveClientIp,
  type Logger,
  type TLogFormat,
  type TLogLevel,
} from "@relay/core";
import { INTERNAL_ERROR_MESSAGE } from "@relay/shared/errors";

export interface FrontServerOptions {
  /** The Next.js app's directory (where .next is). */
  dir: string;
  port: number;
  /** Default: every interface (IPv4 and IPv6). */
  host?: string | undefined;
  trustedProxies: readonly string[];
  logger: Logger;
  /** Grace period for requests in flight on SIGTERM. */
  drainMs?: number;
}

// TRACK never gets here (Node's parser refuses it: 400); CONNECT goes to "connect" below.
const FORBIDDEN_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

function refuse(res: ServerResponse, status: number, code: string, message: string) {
  const body = JSON.stringify({ ok: false, error: { code, message } });
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  res.end(body);
}

/** The envelope written straight to a socket Node's HTTP layer gave up on. */
function rawRefusal(socket: Duplex, status: string, message: string) {
  const body = JSON.stringify({ ok: false, error: { code: "INVALID_PAYLOAD", message } });
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncache-control: no-store\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export interface FrontServer {
  port: number;
  close(): Promise<void>;
}

export async function startFrontServer(opts: FrontServerOptions): Promise<FrontServer> {
  const trusted = parseTrustedProxies(opts.trustedProxies);
  const app = next({
    dev: false,
    dir: opts.dir,
    port: opts.port,
    ...(opts.host ? { hostname: opts.host } : {}),
  });
  await app.prepare();
  const handle = app.getRequestHandler();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? "").toUpperCase();
    if (FORBIDDEN_METHODS.has(method))
      return refuse(res, 405, "INVALID_PAYLOAD", `method ${method} is not allowed`);
    req.headers[CLIENT_IP_HEADER] = resolveClientIp({
      remoteAddress: req.socket.remoteAddress,
      forwardedFor: req.headers["x-forwarded-for"],
      trusted,
    });
    // Only our header carries the client address; a client's X-Real-IP means nothing.
    delete req.headers["x-real-ip"];
    handle(req, res).catch((err: unknown) => {
      opts.logger.error({ err, method, url: req.url }, "request failed");
      if (!res.headersSent) refuse(res, 500, "INTERNAL", INTERNAL_ERROR_MESSAGE);
      else res.destroy();
    });
  };
  const server = createServer(
    {
      // Never switch protocols: Next.js serves no websockets in production.
      shouldUpgradeCallback: () => false,
      // Slowloris: a client gets 30 s for its headers, 60 s for the whole request.
      headersTimeout: 30_000,
      requestTimeout: 60_000,
    } as Parameters<typeof createServer>[0],
    onRequest,
  );
  // Node hands CONNECT to a "connect" listener (a tunnel), not to onRequest.
  server.on("connect", (_req: IncomingMessage, socket: Duplex) =>
    rawRefusal(socket, "405 Method Not Allowed", "method CONNECT is not allowed"),
  );
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === "ECONNRESET" || !socket.writable) return socket.destroy();
    rawRefusal(socket, "400 Bad Request", "malformed HTTP request");
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (opts.host) server.listen(opts.port, opts.host, () => resolve());
    else server.listen(opts.port, () => resolve());
  });
  opts.logger.info({ port: opts.port, host: opts.host, trustedProxies: trusted.spec }, "listening");

  const close = async () => {
    const force = setTimeout(() => server.closeAllConnections(), opts.drainMs ?? 10_000);
    force.unref();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(force);
    await app.close();
  };
  return { port: (server.address() as AddressInfo).port, close };
}

/** What runNextApp needs of an app's validated environment. */
export interface FrontEnv {
  PORT: number;
  HOST?: string | undefined;
  TRUSTED_PROXIES: readonly string[];
  NODE_ENV?: string;
  LOG_LEVEL: TLogLevel;
  LOG_FORMAT?: TLogFormat | undefined;
}

/**
 * An app's server.ts: validate its environment (exit 1 naming what is
 * wrong), then run the front server with Next.js in `dir`.
 */
export async function runNextApp(app: string, loadEnv: () => FrontEnv, dir: string) {
  const env = loadEnvOrExit(app, loadEnv);
  await runFrontServer({
    dir,
    port: env.PORT,
    host: env.HOST,
    trustedProxies: env.TRUSTED_PROXIES,
    logger: createLogger({ app, level: env.LOG_LEVEL, format: logFormatFor(env) }),
  });
}

/** Start the front server, exit 1 if it cannot, drain and exit on SIGTERM/SIGINT. */
export async function runFrontServer(opts: FrontServerOptions): Promise<void> {
  let server: FrontServer;
  try {
    server = await startFrontServer(opts);
  } catch (err) {
    opts.logger.fatal({ err }, "could not start");
    process.exit(1);
  }
  // Requests in flight get drainMs; the whole stop a little more.
  onShutdown(opts.logger, () => server.close(), { timeoutMs: (opts.drainMs ?? 10_000) + 5_000 });
}
