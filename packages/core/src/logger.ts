// The one logger of every server process (web, admin, realtime, workers):
// pino, JSON lines in production and tests, pino-pretty when LOG_FORMAT is
// "pretty" (the dev profile). Errors go under `err` and keep their stack and
// their `cause` chain. Anything that looks like a credential is redacted by
// path, so a careless `logger.info({ req })` cannot leak a token.
import pino, { type DestinationStream, type LevelWithSilent } from "pino";
import pretty from "pino-pretty";
import { EnvError } from "@relay/shared/env";

export type Logger = pino.Logger;
export type TLogLevel = LevelWithSilent;
export type TLogFormat = "json" | "pretty";

/** Field names whose values never reach a log line, at the top level and one or two levels down. */
const SECRET_FIELDS = [
  "password",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "secret",
  "authorization",
  "cookie",
  "set-cookie",
  "JWT_SECRET",
  "AUTH_SECRET",
  "DATABASE_URL",
  "REDIS_URL",
];
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((f) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`;
  const sep = key.startsWith("[") ? "" : ".";
  return [key, `*${sep}${key}`, `*.*${sep}${key}`];
});

export interface LoggerOptions {
  /** Names the process in every line: "web", "admin", "realtime", "push". */
  app: string;
  level?: TLogLevel;
  format?: TLogFormat;
  /** Extra fields on every line (e.g. the realtime node id). */
  base?: Record<string, unknown>;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? "info",
    base: { app: opts.app, ...opts.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.errWithCause },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  const destination =
    opts.destination ??
    (opts.format === "pretty"
      ? pretty({
          sync: true,
          colorize: Boolean(process.stdout.isTTY),
          translateTime: "SYS:HH:MM:ss.l",
        })
      : pino.destination({ dest: 1, sync: true }));
  return pino(options, destination);
}

/** "pretty" in development unless LOG_FORMAT says otherwise; JSON everywhere else. */
export function logFormatFor(env: {
  NODE_ENV?: string;
  LOG_FORMAT?: TLogFormat | undefined;
}): TLogFormat {
  return env.LOG_FORMAT ?? (env.NODE_ENV === "development" ? "pretty" : "json");
}

/**
 * Server start-up: run `load` (an app's env loader); on an EnvError log which
 * variables are wrong (never their values) and exit 1.
 */
export function loadEnvOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof EnvError) {
      createLogger({ app }).fatal({ problems: err.problems }, err.message);
      process.exit(1);
    }
    throw err;
  }
}
