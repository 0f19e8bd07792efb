// Realtime node entry point: validate env, connect stores, serve, drain on SIGTERM.
import { createServer } from "node:http";
import { hostname } from "node:os";
import { loadEnvOrExit } from "@relay/shared/env";
import { createApp } from "./app";
import { closeDeps, createDeps } from "./deps";
import { loadRealtimeEnv } from "./env";
import { createLogger } from "./logger";
import { presenceTimingsFromEnv } from "./services/presence-logic";

function main() {
  const env = loadEnvOrExit(() => loadRealtimeEnv());
  const nodeId = env.NODE_ID ?? `${hostname()}:${env.REALTIME_PORT}`;
  const logger = createLogger(env.LOG_LEVEL, { app: "realtime", node: nodeId });
  const deps = createDeps(env, logger);

  const httpServer = createServer();
  const app = createApp(httpServer, deps, {
    jwtSecret: env.JWT_SECRET,
    corsOrigins: [env.WEB_URL],
    logger,
    nodeId,
    presence: presenceTimingsFromEnv(env),
  });
  httpServer.listen(env.REALTIME_PORT, () => logger.info("listening", { port: env.REALTIME_PORT }));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // app.close() first drains presence (this node's users go offline for
    // their watchers now, not when the lease expires), then closes sockets.
    logger.info("shutting down", { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app
      .close()
      .then(() => closeDeps(deps))
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error("shutdown failed", { err });
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("unhandledRejection", (err) => logger.error("unhandled rejection", { err }));
}

main();
