// typing:start / typing:stop: volatile, no ack; invalid payloads are dropped.
import { relayTyping } from "@relay/core";
import { parsePayload } from "@relay/shared/protocol";
import { ZTypingPayloadSchema } from "@relay/shared/schemas";
import { endSession, sessionEnded, type HandlerContext, type RelaySocket } from "./context";

export function registerTypingHandlers(ctx: HandlerContext, socket: RelaySocket) {
  const relay = (payload: unknown, typing: boolean) => {
    const ended = sessionEnded(ctx, socket);
    if (ended) return endSession(socket, ended);
    const parsed = parsePayload(ZTypingPayloadSchema, payload);
    if (!parsed.ok) return;
    void relayTyping(ctx.core, {
      actor: socket.data,
      conversationId: parsed.data.conversationId,
      typing,
      connectionId: socket.id,
    });
  };
  socket.on("typing:start", (p) => relay(p, true));
  socket.on("typing:stop", (p) => relay(p, false));
}
