import { syncConversations } from "@relay/core";
import { ZSyncPayloadSchema } from "@relay/shared/schemas";
import type { HandlerContext, RelaySocket } from "./context";
import { onAck } from "./handle";

export function registerSyncHandlers(ctx: HandlerContext, socket: RelaySocket) {
  onAck(ctx, socket, "sync", ZSyncPayloadSchema, (p) =>
    syncConversations(ctx.core, { actor: socket.data, ...p }),
  );
}
