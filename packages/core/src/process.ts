// The process-level handlers of a server entry point (realtime node, push
// worker): on SIGTERM or SIGINT log the signal and run `stop` once (a second
// signal while stopping is ignored), then exit 0, or 1 if stopping failed or
// took longer than `timeoutMs`; unhandled rejections are logged, not fatal.
import type { Logger } from "./logger";

export interface ShutdownOptions {
  /** Exit 1 if `stop` has not finished by then (default 10 s). */
  timeoutMs?: number;
  /** The log line at the signal (default "shutting down"). */
  message?: string;
}

/** Installs the handlers; returns a function that removes them (tests). */
export function onShutdown(
  logger: Logger,
  stop: () => Promise<void>,
  opts: ShutdownOptions = {},
): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, opts.message ?? "shutting down");
    const force = setTimeout(() => {
      logger.error({ signal, timeoutMs: opts.timeoutMs ?? 10_000 }, "shutdown timed out");
      process.exit(1);
    }, opts.timeoutMs ?? 10_000);
    force.unref();
    stop().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (err: unknown) => {
        clearTimeout(force);
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  const onRejection = (err: unknown) => logger.error({ err }, "unhandled rejection");
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    process.off("unhandledRejection", onRejection);
  };
}
