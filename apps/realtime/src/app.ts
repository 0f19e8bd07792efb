// Composition root: builds the Socket.IO server on an HTTP server from the
// stores. index.ts only creates the stores from env and listens; tests start
// this on a random port with the test stores.
import { createServer, type RequestListener, type Server as HttpServer } from "node:http";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Server } from "socket.io";
import {
  createDenyList,
  createRelayEvents,
  createTokenService,
  liftExpiredSuspensions,
  parseTrustedProxies,
  resolveClientIp,
  userRoom,
  type CoreDeps,
  type DenyList,
  type Logger,
  type Stores,
} from "@relay/core";
import { AppError, fail, toErrorBody } from "@relay/shared/errors";
import { PROTOCOL_VERSION } from "@relay/shared/limits";
import { isClientEvent } from "@relay/shared/protocol";
import { registerAuthHandlers } from "./handlers/auth.handlers";
import type { HandlerContext, RelayServer } from "./handlers/context";
import { registerMessageHandlers } from "./handlers/message.handlers";
import { registerPresenceHandlers } from "./handlers/presence.handlers";
import { registerReceiptHandlers } from "./handlers/receipt.handlers";
import { registerSyncHandlers } from "./handlers/sync.handlers";
import { registerTypingHandlers } from "./handlers/typing.handlers";
import { createHttpHandler } from "./http";
import { createMetrics, type Metrics } from "./metrics";
import { watchAdapterLinks } from "./services/adapter-link";
import { listenToClassicEmitters } from "./services/emitter-bridge";
import {
  DEFAULT_PRESENCE_TIMINGS,
  PRESENCE_ROOM_PREFIX,
  presenceRoom,
  type TPresenceTimings,
} from "./services/presence-logic";
import { createPresenceService, type PresenceService } from "./services/presence-service";

/** Every socket joins `user:<id>`: the local rooms with that prefix are the node's online users. */
const USER_ROOM_PREFIX = userRoom("");

/**
 * The HTTP server a node runs on. Only `Upgrade: websocket` switches
 * protocols (Socket.IO); any other upgrade (h2c smuggling) is answered as
 * the plain HTTP request it also is.
 */
export function createRealtimeHttpServer(): HttpServer {
  return createServer({
    shouldUpgradeCallback: (req) => req.headers.upgrade?.toLowerCase() === "websocket",
    headersTimeout: 30_000,
    requestTimeout: 60_000,
  } as Parameters<typeof createServer>[0]);
}

export interface AppOptions {
  jwtSecret: string;
  /** Origins allowed to open sockets from a browser (the web app). */
  corsOrigins: string[];
  logger: Logger;
  /** Distinguishes nodes in logs, metrics and presence leases. */
  nodeId: string;
  /** Presence lease/reaper timings (defaults: lease 30 s, renewed every 10 s, reaper every 5 s). */
  presence?: Partial<TPresenceTimings>;
  /** Our load balancers (CIDRs): their X-Forwarded-For names the client for the per-IP handshake limit. */
  trustedProxies?: readonly string[];
  /**
   * The Socket.IO Redis adapter (REALTIME_ADAPTER): `classic` pub/sub
   * (default) or Redis 7 `sharded` pub/sub. Every node must use the same.
   */
  adapter?: TAdapterKind;
}

export type TAdapterKind = "classic" | "sharded";

export interface RelayApp {
  io: RelayServer;
  deny: DenyList;
  /** The core deps this node's handlers use (events through `io`). */
  core: CoreDeps;
  metrics: Metrics;
  presence: PresenceService;
  /**
   * Graceful stop: take this node's users out of presence (watchers see it
   * at once), then disconnect every socket and stop serving (the HTTP server
   * closes too). The stores stay open: their owner closes them.
   */
  /** The internal port's routes (/metrics, /healthz): index.ts serves them on REALTIME_METRICS_PORT. */
  internalHandler: RequestListener;
  close(): Promise<void>;
}

export function createApp(httpServer: HttpServer, stores: Stores, options: AppOptions): RelayApp {
  const { logger } = options;
  let countOnline = () => 0;
  const metrics = createMetrics({ onlineUsers: () => countOnline() });
  const tokens = createTokenService({ jwtSecret: options.jwtSecret });

  const links = {
    pub: stores.duplicateRedis("adapter-pub"),
    sub: stores.duplicateRedis("adapter-sub"),
  };
  const adapterKey = stores.keys.adapter();
  const sharded = options.adapter === "sharded";
  const io: RelayServer = new Server(httpServer, {
    cors: { origin: options.corsOrigins, credentials: true },
    // A load balancer in front must let a silent connection live longer than
    // pingInterval + pingTimeout (40 s); Relay's nginx config (tooling/nginx.mjs) allows 75 s.
    pingInterval: 20_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: 64 * 1024,
    // Sharded: SPUBLISH/SSUBSCRIBE, one shard channel per namespace plus one
    // per room with sockets on this node ("dynamic"), so an emit to a single
    // room reaches only the nodes that have it.
    adapter: sharded
      ? createShardedAdapter(links.pub, links.sub, {
          channelPrefix: adapterKey,
          subscriptionMode: "dynamic",
        })
      : createAdapter(links.pub, links.sub, { key: adapterKey }),
  });
  // The emitters of web, admin and push speak the classic protocol only
  // (services/emitter-bridge.ts): a sharded node listens to it as well.
  const stopEmitterBridge = sharded
    ? listenToClassicEmitters(io.of("/"), links, adapterKey)
    : () => {};
  // A node that lost its link to the others makes the clients that may have
  // missed events catch up (services/adapter-link.ts).
  watchAdapterLinks(links, logger, {
    onSubscriberRestored: () => {
      metrics.resyncs.inc({ link: "subscriber" });
      io.local.emit("sync:required", { reason: "link_lost" });
    },
    onPublisherRestored: () => {
      metrics.resyncs.inc({ link: "publisher" });
      io.emit("sync:required", { reason: "link_lost" });
    },
  });
  countOnline = () => {
    let n = 0;
    for (const room of io.of("/").adapter.rooms.keys()) if (room.startsWith(USER_ROOM_PREFIX)) n++;
    return n;
  };
  // Use cases emit through this node's adapter: one publish reaches every node.
  const core: CoreDeps = {
    ...stores,
    events: createRelayEvents(io, (err, event) =>
      logger.warn({ err, event }, "realtime event not emitted"),
    ),
  };

  const httpContext = { core, tokens, metrics, logger };
  httpServer.on("request", createHttpHandler(httpContext, "public"));

  const presence = createPresenceService({
    db: stores.db,
    redis: stores.redis,
    redisPrefix: stores.redisPrefix,
    nodeId: options.nodeId,
    timings: { ...DEFAULT_PRESENCE_TIMINGS, ...options.presence },
    logger,
    deliver: (p) => io.local.to(presenceRoom(p.userId)).emit("presence", p),
    watchedUsers: () =>
      [...io.of("/").adapter.rooms.keys()]
        .filter((r) => r.startsWith(PRESENCE_ROOM_PREFIX))
        .map((r) => r.slice(PRESENCE_ROOM_PREFIX.length)),
  });
  presence.start();

  const deny = createDenyList({
    db: stores.db,
    redis: stores.redis,
    keys: stores.keys,
    logger,
    subscriber: stores.duplicateRedis("deny-sub"),
  });
  const sweeper = startSuspensionSweeper(stores, logger);

  const ctx: HandlerContext = { core, deny, tokens, logger, metrics, presence };

  const trusted = parseTrustedProxies(options.trustedProxies ?? []);
  io.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    // The same client-address rule as the web front server (TRUSTED_PROXIES).
    const ip = resolveClientIp({
      remoteAddress: socket.handshake.address,
      forwardedFor: socket.handshake.headers["x-forwarded-for"],
      trusted,
    });
    core.limits
      .enforce("handshake", ip)
      .then(async () => {
        const version = auth.protocolVersion ?? PROTOCOL_VERSION;
        // Some clients (Java's io.socket) send every auth value as a string: "1" is 1.
        if (version !== PROTOCOL_VERSION && version !== String(PROTOCOL_VERSION))
          throw new AppError(
            "INVALID_PAYLOAD",
            `unsupported protocol version ${JSON.stringify(version)}; this server speaks ${PROTOCOL_VERSION}`,
          );
        const claims = await tokens.verifyAccess(auth.token);
        // A valid JWT is not enough: its session must not have been revoked.
        await deny.ready;
        const revoked = deny.check(claims);
        if (revoked) throw new AppError("UNAUTHORIZED", `session revoked (${revoked})`);
        socket.data = claims;
        next();
      })
      .catch((err: unknown) => next(handshakeError(err)));
  });

  io.on("connection", (socket) => {
    metrics.connectedSockets.inc();
    void socket.join(userRoom(socket.data.userId));
    presence.connect(socket.id, socket.data.userId);
    socket.on("disconnect", () => {
      metrics.connectedSockets.dec();
      presence.disconnect(socket.id);
    });
    registerAuthHandlers(ctx, socket);
    registerMessageHandlers(ctx, socket);
    registerReceiptHandlers(ctx, socket);
    registerTypingHandlers(ctx, socket);
    registerSyncHandlers(ctx, socket);
    registerPresenceHandlers(ctx, socket);
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (isClientEvent(event)) return;
      metrics.events.inc({ event: "unknown", code: "INVALID_PAYLOAD" });
      const ack = args.at(-1);
      if (typeof ack === "function")
        (ack as (res: unknown) => void)(
          fail("INVALID_PAYLOAD", `unknown event ${JSON.stringify(String(event)).slice(0, 80)}`),
        );
    });
  });

  return {
    io,
    core,
    deny,
    metrics,
    presence,
    internalHandler: createHttpHandler(httpContext, "internal"),
    close: async () => {
      clearInterval(sweeper);
      deny.close();
      await presence.drain();
      await new Promise<void>((resolve) => {
        // This node's sockets only (io.disconnectSockets() would go through the
        // adapter to every node), and by closing their connections, not with a
        // Socket.IO disconnect: clients take "transport close" as a reason to
        // reconnect by themselves — through the load balancer, to another node —
        // but "io server disconnect" as a kick they must not retry (it is what
        // moderation sends). Pending writes are flushed first.
        for (const socket of io.of("/").sockets.values()) socket.conn.close();
        stopEmitterBridge();
        void io.close(() => resolve());
      });
      presence.close();
    },
  };
}

/** Handshake failures reach the client as connect_error with `data` = the error body. */
function handshakeError(err: unknown): Error {
  const body = toErrorBody(err);
  const e = new Error(body.error.message) as Error & { data: unknown };
  e.data = body;
  return e;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Every minute one node (a Redis lock) writes down the timed suspensions that
 * have ended (access already returned at the end time; this records it).
 */
function startSuspensionSweeper(stores: Stores, logger: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    stores.redis
      .set(stores.keys.lock("suspension-sweeper"), "1", "PX", SWEEP_INTERVAL_MS - 1_000, "NX")
      .then(async (won) => {
        if (won !== "OK") return;
        const lifted = await liftExpiredSuspensions(stores);
        if (lifted) logger.info({ lifted }, "moderation: timed suspensions ended");
      })
      .catch((err: unknown) => logger.warn({ err }, "moderation: suspension sweep failed"));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return timer;
}
