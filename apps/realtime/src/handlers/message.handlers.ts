// message:send / history / edit / delete → the core use cases, which also
// broadcast through the event port.
import { deleteMessage, editMessage, messageHistory, sendMessage } from "@relay/core";
import {
  ZMessageDeletePayloadSchema,
  ZMessageEditPayloadSchema,
  ZMessageHistoryPayloadSchema,
  ZMessageSendPayloadSchema,
} from "@relay/shared/schemas";
import type { HandlerContext, RelaySocket } from "./context";
import { onAck } from "./handle";

export function registerMessageHandlers(ctx: HandlerContext, socket: RelaySocket) {
  const actor = socket.data;
  onAck(ctx, socket, "message:send", ZMessageSendPayloadSchema, (p) =>
    sendMessage(ctx.core, { actor, ...p }),
  );
  onAck(ctx, socket, "message:history", ZMessageHistoryPayloadSchema, (p) =>
    messageHistory(ctx.core, { actor, ...p }),
  );
  onAck(ctx, socket, "message:edit", ZMessageEditPayloadSchema, (p) =>
    editMessage(ctx.core, { actor, ...p }),
  );
  onAck(ctx, socket, "message:delete", ZMessageDeletePayloadSchema, (p) =>
    deleteMessage(ctx.core, { actor, ...p }),
  );
}
