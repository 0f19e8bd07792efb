import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Git-ignored runtime data (Cassandra data, logs, pid files). */
export const dataDir = process.env.RELAY_DATA_DIR ?? path.join(root, ".data");
/** Downloads kept outside git and across clones (Cassandra jars). */
export const cacheDir =
  process.env.RELAY_CACHE_DIR ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "relay");
