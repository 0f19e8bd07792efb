// Typing indicators: members only, volatile (dropped rather than queued), and
// `typing:start` throttled per socket and conversation.
import { LIMITS } from "@relay/shared/limits";
import { parsePayload } from "@relay/shared/protocol";
import { ZTypingPayloadSchema } from "@relay/shared/schemas";
import { memberRooms, type HandlerContext, type RelaySocket } from "./context";

export function registerTypingHandlers(ctx: HandlerContext, socket: RelaySocket) {
  const lastStart = new Map<string, number>();
  const relay = (payload: unknown, typing: boolean) => {
    const parsed = parsePayload(ZTypingPayloadSchema, payload);
    if (!parsed.ok) return;
    const { conversationId } = parsed.data;
    if (typing) {
      const now = Date.now();
      if (now - (lastStart.get(conversationId) ?? 0) < LIMITS.typingThrottleMs) return;
      lastStart.set(conversationId, now);
    } else {
      lastStart.delete(conversationId);
    }
    ctx.membership.get(conversationId).then(
      (conv) => {
        if (!conv?.members.some((m) => m.userId === socket.data.userId)) return;
        ctx.io
          .to(memberRooms(conv, socket.data.userId))
          .volatile.emit("typing", { conversationId, userId: socket.data.userId, typing });
      },
      (err: unknown) => ctx.logger.warn("typing: membership lookup failed", { err }),
    );
  };
  socket.on("typing:start", (p) => relay(p, true));
  socket.on("typing:stop", (p) => relay(p, false));
}
