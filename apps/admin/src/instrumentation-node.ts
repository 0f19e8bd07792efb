import { loadEnvOrExit } from "@relay/core";
import { loadEnv } from "./env";
import { getLogger } from "./logger";

/** Stop the server with a message naming each bad variable (never its value). */
export function validateEnvOrExit() {
  const env = loadEnvOrExit("admin", loadEnv);
  getLogger().info({ nodeEnv: env.NODE_ENV }, "admin console starting");
}
