import { loadEnvOrExit } from "@relay/core";
import { loadEnv } from "./env";

/** Stop the server with a message naming each bad variable (never its value). */
export function validateEnvOrExit() {
  loadEnvOrExit("web", loadEnv);
}
