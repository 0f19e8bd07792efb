// presence:watch / presence:unwatch / presence:set. Watching joins the
// socket to `presence:<userId>` rooms on its node; status changes reach those
// rooms on every node (presence-service.ts), so only watchers hear them.
// Who may watch whom is core's rule (conversations/contacts.ts): refused ids
// are left out of the ack rather than failing the request, and core takes
// sockets out of these rooms on every node when a watch stops qualifying.
import { AppError } from "@relay/shared/errors";
import { LIMITS } from "@relay/shared/limits";
import { ZPresenceSetPayloadSchema, ZPresenceWatchPayloadSchema } from "@relay/shared/schemas";
import { PRESENCE_ROOM_PREFIX, presenceRoom } from "../services/presence-logic";
import type { HandlerContext, RelaySocket } from "./context";
import { onAck } from "./handle";

function watchedBy(socket: RelaySocket): Set<string> {
  const out = new Set<string>();
  for (const room of socket.rooms)
    if (room.startsWith(PRESENCE_ROOM_PREFIX)) out.add(room.slice(PRESENCE_ROOM_PREFIX.length));
  return out;
}

export function registerPresenceHandlers(ctx: HandlerContext, socket: RelaySocket) {
  const { presence } = ctx;
  const user = socket.data;

  onAck(ctx, socket, "presence:watch", ZPresenceWatchPayloadSchema, async ({ userIds }) => {
    const ids = [...new Set(userIds)];
    const watching = watchedBy(socket);
    const fresh = ids.filter((id) => !watching.has(id));
    if (watching.size + fresh.length > LIMITS.watchMax)
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `a connection can watch at most ${LIMITS.watchMax} users; unwatch some first`,
      );
    try {
      return await presence.watch(user.userId, ids, (allowed, refused) => {
        void socket.join(allowed.map(presenceRoom));
        // Asked again for someone no longer allowed: drop the old watch too.
        for (const id of refused) if (watching.has(id)) void socket.leave(presenceRoom(id));
      });
    } catch (err) {
      for (const id of fresh) void socket.leave(presenceRoom(id));
      throw err;
    }
  });

  onAck(ctx, socket, "presence:unwatch", ZPresenceWatchPayloadSchema, ({ userIds }) => {
    for (const id of userIds) void socket.leave(presenceRoom(id));
    return Promise.resolve(null);
  });

  onAck(ctx, socket, "presence:set", ZPresenceSetPayloadSchema, async ({ status }) => {
    await ctx.core.limits.enforce("presenceSet", socket.id);
    await presence.setStatus(socket.id, status);
    return null;
  });
}
