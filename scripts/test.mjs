#!/usr/bin/env node
// npm test: provision services for the test profile (own database, Redis db
// and keyspace), migrate, build, typecheck and lint, then run every unit and
// integration test in one Vitest run and print a one-line summary.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { buildAll } from "./lib/apps.mjs";
import { loadEnv } from "./lib/env.mjs";
import { log, ProvisionError } from "./lib/proc.mjs";
import { root } from "./lib/paths.mjs";
import { servicesUp } from "./lib/services.mjs";
import { migrateAll } from "./migrate.mjs";

const env = {
  ...process.env,
  ...loadEnv("test"),
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
};
const extraArgs = process.argv.slice(2);

function step(name, cmd, args) {
  log(name);
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) throw new ProvisionError(`${name} failed`);
}

try {
  const t0 = Date.now();
  await servicesUp(env);
  await migrateAll(env);
  if (!extraArgs.length) {
    buildAll(env);
    step("typecheck + lint (turbo, cached)…", path.join(root, "node_modules/.bin/turbo"), [
      "run",
      "typecheck",
      "lint",
      "--output-logs=errors-only",
    ]);
  }
  const results = path.join(root, ".vitest-results.json");
  rmSync(results, { force: true });
  log("running tests…");
  const r = spawnSync(
    path.join(root, "node_modules/.bin/vitest"),
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${results}`, ...extraArgs],
    {
      cwd: root,
      env,
      stdio: "inherit",
    },
  );
  if (existsSync(results)) {
    const j = JSON.parse(readFileSync(results, "utf8"));
    const skipped = j.numPendingTests + j.numTodoTests;
    log(`finished in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    console.log(
      `tests: ${j.numPassedTests} passed, ${j.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`,
    );
    if (j.numTotalTests === 0) {
      console.error("[relay] no tests ran");
      process.exit(1);
    }
  }
  process.exit(r.status ?? 1);
} catch (err) {
  console.error(`[relay] ${err instanceof ProvisionError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
}
