// Composition root: builds the Socket.IO server on an HTTP server from its
// dependencies. index.ts only wires real stores and listens; tests start this
// on a random port with the test stores.
import type { Server as HttpServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { AppError, toErrorBody } from "@relay/shared/errors";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "@relay/shared/events";
import { PROTOCOL_VERSION } from "@relay/shared/limits";
import { Server } from "socket.io";
import { createTokenService } from "@relay/core/tokens";
import type { Deps } from "./deps";
import { createHttpHandler } from "./http";
import type { Logger } from "./logger";
import { createMetrics, type Metrics } from "./metrics";

export type RelayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface AppOptions {
  jwtSecret: string;
  /** Origins allowed to open sockets from a browser (the web app). */
  corsOrigins: string[];
  logger: Logger;
  /** Distinguishes nodes in logs and metrics. */
  nodeId: string;
}

export interface RelayApp {
  io: RelayServer;
  metrics: Metrics;
  /** Disconnect every socket and stop serving (the HTTP server closes too). */
  close(): Promise<void>;
}

export const userRoom = (userId: string) => `user:${userId}`;

export function createApp(httpServer: HttpServer, deps: Deps, options: AppOptions): RelayApp {
  const metrics = createMetrics();
  httpServer.on("request", createHttpHandler({ deps, metrics, logger: options.logger }));

  const io: RelayServer = new Server(httpServer, {
    cors: { origin: options.corsOrigins, credentials: true },
    pingInterval: 20_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: 64 * 1024,
    adapter: createAdapter(deps.pub, deps.sub, { key: `${deps.redisPrefix}socket.io` }),
  });

  const tokens = createTokenService({ jwtSecret: options.jwtSecret });
  io.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    const version = auth.protocolVersion ?? PROTOCOL_VERSION;
    if (version !== PROTOCOL_VERSION) {
      return next(handshakeError(new AppError("INVALID_PAYLOAD", `unsupported protocol version ${JSON.stringify(version)}; this server speaks ${PROTOCOL_VERSION}`)));
    }
    tokens.verifyAccess(auth.token).then(
      (data) => {
        socket.data = data;
        next();
      },
      (err: unknown) => next(handshakeError(err)),
    );
  });

  io.on("connection", (socket) => {
    metrics.connectedSockets.inc();
    void socket.join(userRoom(socket.data.userId));
    socket.on("disconnect", () => metrics.connectedSockets.dec());
  });

  return {
    io,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        io.disconnectSockets(true);
        void io.close(() => resolve());
      }),
  };
}

/** Handshake failures reach the client as connect_error with `data` = the error body. */
function handshakeError(err: unknown): Error {
  const body = toErrorBody(err);
  const e = new Error(body.error.message) as Error & { data: unknown };
  e.data = body;
  return e;
}
