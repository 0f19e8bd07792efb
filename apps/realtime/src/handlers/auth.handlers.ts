// A socket lives as long as its access token: the server ends it with
// `session:revoked {reason: "expired"}` at the token's expiry unless the
// client sent a fresh token first (`auth:refresh`). A refresh must be for the
// same user and pass the same checks as a handshake (valid, not revoked).
// It also lives no longer than its session: when the browser session its
// token was minted from is signed out (on any node), the deny-list tells the
// socket and it ends with `session:revoked {reason: "logged_out"}`.
import { AppError } from "@relay/shared/errors";
import { ZAuthRefreshPayloadSchema } from "@relay/shared/schemas";
import { endSession, type HandlerContext, type RelaySocket } from "./context";
import { onAck } from "./handle";

/** setTimeout's longest delay (~24.8 days); a longer-lived token is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function registerAuthHandlers(ctx: HandlerContext, socket: RelaySocket) {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    const expires = socket.data.expiresAtMs;
    if (expires === undefined) return;
    const delay = Math.max(0, expires - Date.now());
    timer = setTimeout(
      () => (delay >= MAX_TIMER_MS ? schedule() : endSession(socket, "expired")),
      Math.min(delay, MAX_TIMER_MS),
    );
  };
  schedule();
  const watch = () =>
    ctx.deny.watchSession(socket.data.sessionId, () => endSession(socket, "logged_out"));
  let unwatch = watch();
  const rewatch = () => {
    unwatch();
    unwatch = watch();
  };
  socket.on("disconnect", () => {
    clearTimeout(timer);
    unwatch();
  });

  onAck(ctx, socket, "auth:refresh", ZAuthRefreshPayloadSchema, async ({ token }) => {
    const claims = await ctx.tokens.verifyAccess(token);
    if (claims.userId !== socket.data.userId)
      throw new AppError("FORBIDDEN", "the token belongs to another user");
    const revoked = ctx.deny.check(claims);
    if (revoked) throw new AppError("UNAUTHORIZED", `session revoked (${revoked})`);
    socket.data = claims;
    schedule();
    rewatch();
    return { expiresAt: new Date(claims.expiresAtMs ?? Date.now()).toISOString() };
  });
}
