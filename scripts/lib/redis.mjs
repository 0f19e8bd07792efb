// Redis: detect → start if installed → install with apt if missing.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { aptInstall, has, log, must, tcpOpen, waitFor, ProvisionError } from "./proc.mjs";
import { dataDir } from "./paths.mjs";

export async function ensureRedis(redisUrl) {
  const url = new URL(redisUrl);
  const host = url.hostname;
  const port = Number(url.port || 6379);
  if (await tcpOpen(host, port)) return;
  if (!["127.0.0.1", "localhost"].includes(host))
    throw new ProvisionError(`Redis at ${host}:${port} is not reachable (REDIS_URL)`);
  if (!has("redis-server")) aptInstall(["redis-server"], "Redis is not installed");
  const dir = path.join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  log(`starting Redis on ${port}…`);
  must(
    "redis-server",
    [
      "--daemonize",
      "yes",
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--logfile",
      path.join(dir, "redis.log"),
      "--pidfile",
      path.join(dir, "redis.pid"),
    ],
    "start Redis",
  );
  await waitFor(`Redis (${host}:${port})`, () => tcpOpen(host, port), 30_000);
}
