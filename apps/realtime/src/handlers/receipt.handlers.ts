import { markReceipt } from "@relay/core";
import { ZReceiptPayloadSchema } from "@relay/shared/schemas";
import type { HandlerContext, RelaySocket } from "./context";
import { onAck } from "./handle";

export function registerReceiptHandlers(ctx: HandlerContext, socket: RelaySocket) {
  for (const kind of ["delivered", "read"] as const) {
    onAck(ctx, socket, `receipt:${kind}`, ZReceiptPayloadSchema, (p) =>
      markReceipt(ctx.core, { actor: socket.data, kind, ...p }),
    );
  }
}
