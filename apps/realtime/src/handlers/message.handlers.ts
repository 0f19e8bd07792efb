import {
  ZMessageDeletePayloadSchema,
  ZMessageEditPayloadSchema,
  ZMessageHistoryPayloadSchema,
  ZMessageSendPayloadSchema,
} from "@relay/shared/schemas";
import { memberRooms, type HandlerContext, type RelaySocket } from "./context";
import { onAck } from "./handle";

export function registerMessageHandlers(ctx: HandlerContext, socket: RelaySocket) {
  const user = socket.data;

  onAck(ctx, socket, "message:send", ZMessageSendPayloadSchema, async (p) => {
    const { result, fanout } = await ctx.messageService.send(user, p);
    // Once per conversation through the adapter, to every member's devices on every node.
    if (fanout) ctx.io.to(memberRooms(fanout.members)).emit("message:new", fanout.message);
    return result;
  });

  onAck(ctx, socket, "message:history", ZMessageHistoryPayloadSchema, (p) =>
    ctx.messageService.history(user, p),
  );

  onAck(ctx, socket, "message:edit", ZMessageEditPayloadSchema, async (p) => {
    const { message, members } = await ctx.messageService.edit(user, p);
    ctx.io.to(memberRooms(members)).emit("message:updated", message);
    return message;
  });

  onAck(ctx, socket, "message:delete", ZMessageDeletePayloadSchema, async (p) => {
    const { event, members } = await ctx.messageService.delete(user, p);
    ctx.io.to(memberRooms(members)).emit("message:deleted", event);
    return event;
  });
}
