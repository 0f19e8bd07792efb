// What every socket handler gets: the core deps (with Socket.IO-backed
// events), this node's metrics, logger and presence.
import type { Server, Socket } from "socket.io";
import type { CoreDeps, DenyList, Logger, TokenService } from "@relay/core";
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
  /** Verifies the tokens of handshakes and of auth:refresh. */
  tokens: TokenService;
  logger: Logger;
  metrics: Metrics;
  presence: PresenceService;
}

/**
 * Why this socket may not act any more, or null: its session was revoked
 * (ban, suspension, logout — on any node), or its access token expired
 * without an auth:refresh.
 */
export function sessionEnded(
  ctx: HandlerContext,
  socket: RelaySocket,
  nowMs = Date.now(),
): TSessionRevokedReason | null {
  const expires = socket.data.expiresAtMs;
  if (expires !== undefined && nowMs >= expires) return "expired";
  return ctx.deny.check(socket.data);
}

/** Ends a socket whose session is over: it is told why, then disconnected. */
export function endSession(socket: RelaySocket, reason: TSessionRevokedReason): void {
  socket.emit("session:revoked", { reason });
  socket.disconnect(true);
}
