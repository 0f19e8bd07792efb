import { ZReceiptPayloadSchema } from "@relay/shared/schemas";
import { memberRooms, type HandlerContext, type RelaySocket } from "./context";
import { onAck } from "./handle";

export function registerReceiptHandlers(ctx: HandlerContext, socket: RelaySocket) {
  for (const kind of ["delivered", "read"] as const) {
    onAck(ctx, socket, `receipt:${kind}`, ZReceiptPayloadSchema, async (p) => {
      const { seq, advanced, members } = await ctx.receiptService.mark(socket.data, kind, p);
      // Every member, including the reader's other devices (read in one tab, cleared in all).
      if (advanced)
        ctx.io.to(memberRooms(members)).emit("receipt", {
          conversationId: p.conversationId,
          userId: socket.data.userId,
          kind,
          seq,
        });
      return { seq };
    });
  }
}
