// The benchmarks' store connections, from the same factory as the apps
// (`createStores` in @relay/core), configured from the test profile's env
// that scripts/bench.mjs provides.
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
