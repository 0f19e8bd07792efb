// The benchmarks' store connections, from the same factory as the apps
// (`createStores` in @relay/core), configured from the test profile's env
// that scripts/bench.mjs provides.
import type { Redis } from "ioredis";
import { z } from "zod";
import { createLogger, createStores, type Stores, type StoresOptions } from "@relay/core";
import { parseEnv, ZStoreEnvFields, type TStoreEnv } from "@relay/shared/env";

export function openBenchStores(
  overrides: Partial<TStoreEnv> = {},
  opts: Partial<StoresOptions> = {},
): Stores {
  const env = parseEnv("bench", z.object(ZStoreEnvFields), process.env);
  return createStores(
    { ...env, ...overrides },
    { logger: createLogger({ app: "bench", level: "warn" }), dbPoolMax: 4, ...opts },
  );
}

/** UNLINK every key matching `pattern` (bounded SCAN; the benchmarks' tidy-up). */
export async function unlinkMatching(
  redis: Redis,
  pattern: string,
  maxRounds = 5_000,
): Promise<void> {
  let cursor = "0";
  let rounds = 0;
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 2000);
    cursor = next;
    if (found.length) await redis.unlink(...found);
  } while (cursor !== "0" && ++rounds < maxRounds);
}
