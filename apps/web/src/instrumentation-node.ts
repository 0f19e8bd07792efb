import { loadEnvOrExit } from "@relay/shared/env";
import { loadEnv } from "./env";

/** Stop the server with a message naming each bad variable (never its value). */
export function validateEnvOrExit() {
  loadEnvOrExit(loadEnv);
}
