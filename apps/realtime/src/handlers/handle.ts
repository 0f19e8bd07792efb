// One wrapper for every acked client event: validate with the shared schema,
// run the core use case, ack with the envelope, count it. Handlers stay thin.
import type { z } from "zod";
import { AppError, fail, ok, toErrorBody, type TAck } from "@relay/shared/errors";
import { parsePayload } from "@relay/shared/protocol";
import { endSession, sessionEnded, type HandlerContext, type RelaySocket } from "./context";

type LooseSocket = { on(event: string, listener: (...args: unknown[]) => void): void };

export function onAck<S extends z.ZodType, R>(
  ctx: HandlerContext,
  socket: RelaySocket,
  event: string,
  schema: S,
  run: (data: z.output<S>) => Promise<R>,
): void {
  (socket as unknown as LooseSocket).on(event, (payload: unknown, ack: unknown) => {
    const started = performance.now();
    const reply = typeof ack === "function" ? (ack as (res: TAck<R>) => void) : undefined;
    const finish = (res: TAck<R>) => {
      ctx.metrics.events.inc({ event, code: res.ok ? "OK" : res.error.code });
      ctx.metrics.eventLatency.observe({ event }, (performance.now() - started) / 1000);
      reply?.(res);
    };
    // A revoked or expired session gets no further event.
    const ended = sessionEnded(ctx, socket);
    if (ended) {
      finish(
        fail(
          "UNAUTHORIZED",
          ended === "expired"
            ? "session expired; reconnect with a fresh token"
            : `session revoked (${ended})`,
        ),
      );
      return endSession(socket, ended);
    }
    const parsed = parsePayload(schema, payload);
    if (!parsed.ok) return finish(parsed);
    run(parsed.data).then(
      (data) => finish(ok(data)),
      (err: unknown) => {
        if (!(err instanceof AppError)) ctx.logger.error({ event, err }, "handler failed");
        else if (err.code === "UNAVAILABLE")
          ctx.logger.warn({ event, err: err.cause }, "store unavailable");
        finish(toErrorBody(err));
      },
    );
  });
}
