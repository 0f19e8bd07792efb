// What every socket handler gets: the core deps (with Socket.IO-backed
// events), this node's metrics, logger and presence.
import type { Server, Socket } from "socket.io";
import type { CoreDeps, DenyList, Logger } from "@relay/core";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "@relay/shared/events";
import type { TSessionRevokedReason } from "@relay/shared/schemas";
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
  /** Revoked sessions (ban, suspension, logout), checked before every client event. */
  deny: DenyList;
  logger: Logger;
  metrics: Metrics;
  presence: PresenceService;
}

/** Ends a socket whose session was revoked: it is told why, then disconnected. */
export function endSession(socket: RelaySocket, reason: TSessionRevokedReason): void {
  socket.emit("session:revoked", { reason });
  socket.disconnect(true);
}
