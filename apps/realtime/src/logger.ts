// Minimal structured logger: one JSON line per event on stdout/stderr.
export type TLogLevel = "debug" | "info" | "warn" | "error";
const order: Record<TLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: TLogLevel, base: Record<string, unknown> = {}): Logger {
  const emit =
    (lvl: TLogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (order[lvl] < order[level]) return;
      const line = JSON.stringify(
        { t: new Date().toISOString(), level: lvl, msg, ...base, ...fields },
        (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v),
      );
      (order[lvl] >= order.warn ? process.stderr : process.stdout).write(`${line}\n`);
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
