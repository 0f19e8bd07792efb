// Start real realtime nodes (random ports) against the test stores: in this
// process (startNode) or as a child process that can be SIGKILLed
// (startNodeProcess); and nginx in front of several of them (startNginx).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { io as connect, type Socket } from "socket.io-client";
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  createLogger,
  createStores,
  type Stores,
} from "@relay/core";
import type { ClientToServerEvents, ServerToClientEvents } from "@relay/shared/events";
import type { TUserRole } from "@relay/shared/schemas";
import { startNginx as runNginx, type NginxProcess } from "@relay/tooling/nginx";
import { createApp, createRealtimeHttpServer, type RelayApp } from "../src/app";
import { loadRealtimeEnv, type TRealtimeEnv } from "../src/env";
import { presenceTimingsFromEnv } from "../src/services/presence-logic";

export const env: TRealtimeEnv = loadRealtimeEnv(process.env);

export interface TestNode {
  url: string;
  app: RelayApp;
  /** The node's own store connections (what its handlers use). */
  deps: Stores;
  /** The node's internal port (/metrics, /healthz), as index.ts serves it. */
  internalUrl: string;
  close(): Promise<void>;
}

export async function startNode(overrides: Partial<TRealtimeEnv> = {}): Promise<TestNode> {
  const nodeEnv = { ...env, ...overrides };
  const logger = createLogger({ app: "realtime-test", level: "error" });
  const deps = createStores(nodeEnv, {
    logger,
    rateLimits: { handshake: { points: nodeEnv.REALTIME_HANDSHAKE_LIMIT } },
  });
  const httpServer = createRealtimeHttpServer();
  const app = createApp(httpServer, deps, {
    jwtSecret: nodeEnv.JWT_SECRET,
    corsOrigins: [nodeEnv.WEB_URL],
    logger,
    nodeId: nodeEnv.NODE_ID ?? randomUUID().slice(0, 8),
    presence: presenceTimingsFromEnv(nodeEnv),
    trustedProxies: nodeEnv.TRUSTED_PROXIES,
    adapter: nodeEnv.REALTIME_ADAPTER,
  });
  const internalServer = createServer(app.internalHandler);
  await Promise.all(
    [httpServer, internalServer].map(
      (srv) => new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve)),
    ),
  );
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const internalUrl = `http://127.0.0.1:${(internalServer.address() as AddressInfo).port}`;
  return {
    url,
    internalUrl,
    app,
    deps,
    async close() {
      await new Promise((resolve) => internalServer.close(resolve));
      await app.close();
      await deps.close();
    },
  };
}

export async function signTestToken(
  userId: string,
  opts: { role?: TUserRole; expiresIn?: string; secret?: string } = {},
) {
  return new SignJWT({ role: opts.role ?? "USER", sid: randomUUID(), iatMs: Date.now() })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? "15m")
    .sign(new TextEncoder().encode(opts.secret ?? env.JWT_SECRET));
}

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Connect a real Socket.IO client; resolves once connected, rejects with the
 * connect_error. `localAddress` binds the client's end (127.0.0.2 … are other
 * clients on the loopback); `reconnect` turns on Socket.IO's automatic
 * reconnection (fast and without jitter) instead of none.
 */
export function connectClient(
  url: string,
  auth: Record<string, unknown>,
  opts: { headers?: Record<string, string>; localAddress?: string; reconnect?: boolean } = {},
): Promise<TestClient> {
  const socket: TestClient = connect(url, {
    auth,
    transports: ["websocket"],
    reconnection: opts.reconnect ?? false,
    ...(opts.reconnect
      ? { reconnectionDelay: 50, reconnectionDelayMax: 200, randomizationFactor: 0 }
      : {}),
    forceNew: true,
    ...(opts.headers ? { extraHeaders: opts.headers } : {}),
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  /** Everything the node wrote (JSON log lines), for failure messages. */
  output(): string;
  /** Send `signal` and resolve when the process has exited. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A port that was free a moment ago (the child binds it itself). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * A realtime node in its own process (apps/realtime/src/index.ts through tsx,
 * so it always runs the current source), with the test env plus `overrides`.
 * Resolves once it listens.
 */
export async function startNodeProcess(
  overrides: Record<string, string> = {},
): Promise<NodeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "apps/realtime/src/index.ts"], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", ...overrides, REALTIME_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL"); // never leave a half-started node behind
      reject(new Error(`node did not start:\n${out}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`node exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface TestNginx {
  /** Where clients connect: http://127.0.0.1:<port>. */
  url: string;
  process: NginxProcess;
  /** Graceful reload with another list of nodes. */
  reload(upstreamUrls: readonly string[]): Promise<void>;
  /** Stop nginx (fast) and remove its runtime directory. */
  close(): Promise<void>;
}

/**
 * nginx in front of `upstreamUrls` (the nodes' URLs), with the generated
 * configuration `npm start` uses (tooling/nginx.mjs) but one worker (so
 * round robin is predictable) and its runtime directory in the OS temp dir.
 * Fails with NginxMissingError's message when nginx is not installed
 * (`npm test` installs it first).
 */
export async function startNginx(
  upstreamUrls: readonly string[],
  opts: { forwardedFor?: "replace" | "append" } = {},
): Promise<TestNginx> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "relay-nginx-"));
  let lb: NginxProcess;
  try {
    lb = await runNginx({
      dir,
      host: "127.0.0.1",
      upstreams: upstreamUrls,
      workerProcesses: 1,
      ...(opts.forwardedFor ? { forwardedFor: opts.forwardedFor } : {}),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: lb.url,
    process: lb,
    reload: (urls) => lb.reload(urls),
    async close() {
      await lb.stop("fast");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
