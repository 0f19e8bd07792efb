import type { Socket } from "socket.io";
import type { TConversationMembers } from "@relay/core/membership";
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "@relay/shared/events";
import type { RelayServer } from "../app";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { MessageService } from "../services/message-service";
import type { ReceiptService } from "../services/receipt-service";
import type { SyncService } from "../services/sync-service";
import type { MembershipReader } from "@relay/core/membership";

export type RelaySocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface HandlerContext {
  io: RelayServer;
  logger: Logger;
  metrics: Metrics;
  membership: MembershipReader;
  messageService: MessageService;
  receiptService: ReceiptService;
  syncService: SyncService;
}

export const userRoom = (userId: string) => `user:${userId}`;

/** Rooms of every member (optionally minus one user): one emit reaches all their devices on all nodes. */
export function memberRooms(members: TConversationMembers, exceptUserId?: string): string[] {
  return members.members.filter((m) => m.userId !== exceptUserId).map((m) => userRoom(m.userId));
}
