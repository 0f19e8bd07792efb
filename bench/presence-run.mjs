#!/usr/bin/env node
// The presence benchmark on its own: provision like `npm test` (test profile,
// services, migrations, realtime build), then run bench/presence.ts.
// `npm run bench` runs it too (scripts/bench.mjs, after the messaging benchmark).
import { spawnSync } from "node:child_process";
import { buildAll } from "../scripts/lib/apps.mjs";
import { loadEnv } from "../scripts/lib/env.mjs";
import { log, ProvisionError } from "../scripts/lib/proc.mjs";
import { root } from "../scripts/lib/paths.mjs";
import { servicesUp } from "../scripts/lib/services.mjs";
import { migrateAll } from "../scripts/migrate.mjs";

const env = { ...process.env, ...loadEnv("test"), TURBO_TELEMETRY_DISABLED: "1" };
try {
  await servicesUp(env);
  await migrateAll(env);
  buildAll(env, ["@relay/realtime"]);
  log("presence benchmark…");
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/presence.ts"], {
    cwd: root,
    env,
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
} catch (err) {
  console.error(`[relay] ${err instanceof ProvisionError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
}
