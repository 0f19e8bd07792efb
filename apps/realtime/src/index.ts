// Realtime node entry point: validate env, connect stores, serve, drain on SIGTERM.
import { createServer } from "node:http";
import { hostname } from "node:os";
import {
  announceRealtimeNode,
  createLogger,
  createStores,
  loadEnvOrExit,
  logFormatFor,
} from "@relay/core";
import { createApp } from "./app";
import { loadRealtimeEnv } from "./env";
import { presenceTimingsFromEnv } from "./services/presence-logic";

function main() {
  const env = loadEnvOrExit("realtime", () => loadRealtimeEnv());
  const nodeId = env.NODE_ID ?? `${hostname()}:${env.REALTIME_PORT}`;
  const logger = createLogger({
    app: "realtime",
    level: env.LOG_LEVEL,
    format: logFormatFor(env),
    base: { node: nodeId },
  });
  const stores = createStores(env, { logger, push: env.PUSH_ENABLED });

  const httpServer = createServer();
  const app = createApp(httpServer, stores, {
    jwtSecret: env.JWT_SECRET,
    corsOrigins: [env.WEB_URL],
    logger,
    nodeId,
    presence: presenceTimingsFromEnv(env),
  });
  let unannounce: (() => Promise<void>) | undefined;
  httpServer.listen(env.REALTIME_PORT, () => {
    logger.info({ port: env.REALTIME_PORT }, "listening");
    unannounce = announceRealtimeNode(stores, {
      nodeId,
      url: env.REALTIME_INTERNAL_URL ?? `http://127.0.0.1:${env.REALTIME_PORT}`,
      startedAt: new Date().toISOString(),
    });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // app.close() first drains presence (this node's users go offline for
    // their watchers now, not when the lease expires), then closes sockets.
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    Promise.resolve(unannounce?.())
      .then(() => app.close())
      .then(() => stores.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));
}

main();
