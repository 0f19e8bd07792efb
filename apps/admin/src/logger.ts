// The admin console's logger (pino through @relay/core), created on first use.
import { createLogger, logFormatFor, type Logger } from "@relay/core";
import { loadEnv } from "./env";

let logger: Logger | undefined;
export function getLogger(): Logger {
  if (!logger) {
    const env = loadEnv();
    logger = createLogger({ app: "admin", level: env.LOG_LEVEL, format: logFormatFor(env) });
  }
  return logger;
}
