// Start real realtime nodes (random ports) against the test stores.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ClientToServerEvents, ServerToClientEvents } from "@relay/shared/events";
import { SignJWT } from "jose";
import { io as connect, type Socket } from "socket.io-client";
import { createApp, type RelayApp } from "../src/app";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "@relay/core/tokens";
import { closeDeps, createDeps, type Deps } from "../src/deps";
import { loadRealtimeEnv, type TRealtimeEnv } from "../src/env";
import { createLogger } from "../src/logger";

export const env: TRealtimeEnv = loadRealtimeEnv(process.env);

export interface TestNode {
  url: string;
  app: RelayApp;
  deps: Deps;
  close(): Promise<void>;
}

export async function startNode(overrides: Partial<TRealtimeEnv> = {}): Promise<TestNode> {
  const nodeEnv = { ...env, ...overrides };
  const logger = createLogger("error");
  const deps = createDeps(nodeEnv, logger);
  const httpServer = createServer();
  const app = createApp(httpServer, deps, {
    jwtSecret: nodeEnv.JWT_SECRET,
    corsOrigins: [nodeEnv.WEB_URL],
    logger,
    nodeId: randomUUID().slice(0, 8),
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  return {
    url,
    app,
    deps,
    async close() {
      await app.close();
      await closeDeps(deps);
    },
  };
}

export async function signTestToken(
  userId: string,
  opts: { role?: "USER" | "ADMIN"; expiresIn?: string; secret?: string } = {},
) {
  return new SignJWT({ role: opts.role ?? "USER", sid: randomUUID() })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? "15m")
    .sign(new TextEncoder().encode(opts.secret ?? env.JWT_SECRET));
}

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connect a real Socket.IO client; resolves once connected, rejects with the connect_error. */
export function connectClient(url: string, auth: Record<string, unknown>): Promise<TestClient> {
  const socket: TestClient = connect(url, {
    auth,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}
