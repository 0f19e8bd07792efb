// What every socket handler gets: the core deps (with Socket.IO-backed
// events), this node's metrics, logger and presence.
import type { Server, Socket } from "socket.io";
import type { CoreDeps, Logger } from "@relay/core";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "@relay/shared/events";
import type { Metrics } from "../metrics";
import type { PresenceService } from "../services/presence-service";

export type RelayServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export type RelaySocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface HandlerContext {
  core: CoreDeps;
  logger: Logger;
  metrics: Metrics;
  presence: PresenceService;
}
