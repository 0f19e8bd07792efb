import { EnvError } from "@relay/shared/env";
import { loadEnv } from "./env";

/** Stop the server with a message naming each bad variable (never its value). */
export function validateEnvOrExit() {
  try {
    loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
