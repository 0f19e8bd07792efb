// Realtime node entry point: validate env, connect stores, serve, drain on SIGTERM.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import {
  announceRealtimeNode,
  createLogger,
  createStores,
  loadEnvOrExit,
  logFormatFor,
  onShutdown,
} from "@relay/core";
import { createApp, createRealtimeHttpServer } from "./app";
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
  const stores = createStores(env, {
    logger,
    push: env.PUSH_ENABLED,
    rateLimits: { handshake: { points: env.REALTIME_HANDSHAKE_LIMIT } },
  });

  const httpServer = createRealtimeHttpServer();
  const app = createApp(httpServer, stores, {
    jwtSecret: env.JWT_SECRET,
    corsOrigins: [env.WEB_URL],
    logger,
    nodeId,
    presence: presenceTimingsFromEnv(env),
    trustedProxies: env.TRUSTED_PROXIES,
    adapter: env.REALTIME_ADAPTER,
  });
  // /metrics and /healthz for operators, on their own (loopback) port.
  const internalServer = createServer(app.internalHandler);
  let unannounce: (() => Promise<void>) | undefined;
  const listening = (server: Server, port: number, host?: string) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  Promise.all([
    listening(httpServer, env.REALTIME_PORT, env.REALTIME_HOST),
    listening(internalServer, env.REALTIME_METRICS_PORT, env.REALTIME_METRICS_HOST),
  ]).then(
    ([port, metricsPort]) => {
      logger.info(
        {
          port,
          host: env.REALTIME_HOST,
          metricsPort,
          metricsHost: env.REALTIME_METRICS_HOST,
          adapter: env.REALTIME_ADAPTER,
        },
        "listening",
      );
      unannounce = announceRealtimeNode(stores, {
        nodeId,
        url: env.REALTIME_INTERNAL_URL ?? `http://127.0.0.1:${metricsPort}`,
        startedAt: new Date().toISOString(),
      });
    },
    (err: unknown) => {
      logger.fatal({ err }, "could not listen");
      process.exit(1);
    },
  );

  // app.close() first drains presence (this node's users go offline for
  // their watchers now, not when the lease expires), then closes sockets.
  onShutdown(logger, async () => {
    await unannounce?.();
    internalServer.close();
    await app.close();
    await stores.close();
  });
}

main();
