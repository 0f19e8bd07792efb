/**
 * Typed Socket.IO event maps:
 *   new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>()
 *   io(url) as Socket<ServerToClientEvents, ClientToServerEvents>
 * Payloads are validated on the server with CLIENT_PAYLOAD_SCHEMAS (./protocol).
 */
import type { TAck } from "./errors";
import type {
  TAuthRefreshPayload,
  TAuthRefreshResult,
  TConversationUpdatedEvent,
  TMessage,
  TMessageDeletedEvent,
  TMessageDeletePayload,
  TMessageEditPayload,
  TMessageHistoryPayload,
  TMessageHistoryResult,
  TMessageSendPayload,
  TMessageSendResult,
  TPresence,
  TPresenceSetPayload,
  TPresenceWatchPayload,
  TPresenceWatchResult,
  TReceiptEvent,
  TReceiptPayload,
  TReceiptResult,
  TSessionRevokedEvent,
  TSyncPayload,
  TSyncRequiredEvent,
  TSyncResult,
  TTypingEvent,
  TTypingPayload,
  TUserRole,
} from "./schemas";

export type TAckCallback<T> = (res: TAck<T>) => void;
type WithAck<TPayload, TData> = (payload: TPayload, ack: TAckCallback<TData>) => void;

export interface ClientToServerEvents {
  "message:send": WithAck<TMessageSendPayload, TMessageSendResult>;
  "message:history": WithAck<TMessageHistoryPayload, TMessageHistoryResult>;
  /** ack data: the edited message */
  "message:edit": WithAck<TMessageEditPayload, TMessage>;
  "message:delete": WithAck<TMessageDeletePayload, TMessageDeletedEvent>;
  "receipt:delivered": WithAck<TReceiptPayload, TReceiptResult>;
  "receipt:read": WithAck<TReceiptPayload, TReceiptResult>;
  /** volatile, no ack */
  "typing:start": (payload: TTypingPayload) => void;
  /** volatile, no ack */
  "typing:stop": (payload: TTypingPayload) => void;
  "presence:watch": WithAck<TPresenceWatchPayload, TPresenceWatchResult>;
  "presence:unwatch": WithAck<TPresenceWatchPayload, null>;
  "presence:set": WithAck<TPresenceSetPayload, null>;
  sync: WithAck<TSyncPayload, TSyncResult>;
  /** A fresh access token for this socket (same user), sent before the current one expires. */
  "auth:refresh": WithAck<TAuthRefreshPayload, TAuthRefreshResult>;
}

export interface ServerToClientEvents {
  "message:new": (message: TMessage) => void;
  "message:updated": (message: TMessage) => void;
  "message:deleted": (event: TMessageDeletedEvent) => void;
  receipt: (event: TReceiptEvent) => void;
  typing: (event: TTypingEvent) => void;
  presence: (event: TPresence) => void;
  "conversation:updated": (event: TConversationUpdatedEvent) => void;
  "session:revoked": (event: TSessionRevokedEvent) => void;
  "sync:required": (event: TSyncRequiredEvent) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no inter-server events yet
export interface InterServerEvents {}

export interface SocketData {
  userId: string;
  role: TUserRole;
  sessionId: string;
  /** From the access token: when it was issued and when it expires (epoch ms). */
  issuedAtMs?: number;
  expiresAtMs?: number;
}
