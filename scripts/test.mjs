#!/usr/bin/env node
// npm test: provision services for the test profile (own database, Redis db
// and keyspace), migrate, build, typecheck and lint, then run every unit and
// integration test in one Vitest run and print a one-line summary.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

// Before anything that may need node_modules: install on a fresh clone (or
// after package-lock.json changed), then continue on the project's Node 24
// (scripts/lib/bootstrap.mjs). Static imports would be resolved before this
// runs, so every project module is loaded dynamically below it.
ensureDependencies();
await reexecUnderProjectNode();

const { buildAll } = await import("./lib/apps.mjs");
const { loadEnv } = await import("./lib/env.mjs");
const { aptInstall, log, ProvisionError } = await import("./lib/proc.mjs");
const { ensureNginx } = await import("./lib/nginx.mjs");
const { root } = await import("./lib/paths.mjs");
const { servicesUp } = await import("./lib/services.mjs");
const { migrateAll } = await import("./migrate.mjs");

const env = {
  ...process.env,
  ...loadEnv("test"),
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
};
const extraArgs = process.argv.slice(2);

/** Debian's Chromium for Playwright (never a downloaded browser). */
function ensureChromium() {
  if (existsSync(env.CHROMIUM_PATH ?? "/usr/bin/chromium")) return;
  aptInstall(["chromium"], "browser tests need Chromium");
}

function step(name, cmd, args) {
  log(name);
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) throw new ProvisionError(`${name} failed`);
}

try {
  const t0 = Date.now();
  await servicesUp(env);
  // The multi-node tests (apps/realtime, e2e) put nginx in front of the nodes.
  ensureNginx("the multi-node tests run realtime nodes behind nginx");
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
  const onlyE2e = extraArgs.length === 1 && extraArgs[0] === "e2e";
  log(onlyE2e ? "skipping unit/integration tests" : "running unit and integration tests…");
  const r = onlyE2e
    ? { status: 0 }
    : spawnSync(
        path.join(root, "node_modules/.bin/vitest"),
        [
          "run",
          "--reporter=default",
          "--reporter=json",
          `--outputFile.json=${results}`,
          ...extraArgs,
        ],
        {
          cwd: root,
          env,
          stdio: "inherit",
        },
      );
  const unit = onlyE2e
    ? { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 }
    : existsSync(results)
      ? JSON.parse(readFileSync(results, "utf8"))
      : null;
  let e2e = null;
  if (!extraArgs.length || extraArgs.includes("e2e")) {
    log("running browser tests (Playwright, Chromium)…");
    ensureChromium();
    const e2eResults = path.join(root, "test-results/e2e-results.json");
    rmSync(e2eResults, { force: true });
    spawnSync(
      path.join(root, "node_modules/.bin/playwright"),
      ["test", "-c", "e2e/playwright.config.ts"],
      { cwd: root, env, stdio: "inherit" },
    );
    e2e = existsSync(e2eResults)
      ? JSON.parse(readFileSync(e2eResults, "utf8")).stats
      : { expected: 0, unexpected: 1, flaky: 0, skipped: 0 };
  }
  // Vitest reports the tests of a file whose beforeAll failed (nginx missing,
  // a store down) as skipped: here they count as failed.
  const setupFailed = (unit?.testResults ?? [])
    .filter((f) => f.status === "failed")
    .flatMap((f) =>
      f.assertionResults.filter((a) => ["skipped", "pending"].includes(a.status)),
    ).length;
  const passed = (unit?.numPassedTests ?? 0) + (e2e ? e2e.expected + e2e.flaky : 0);
  const failed = (unit ? unit.numFailedTests + setupFailed : 1) + (e2e ? e2e.unexpected : 0);
  const skipped =
    (unit ? unit.numPendingTests + unit.numTodoTests - setupFailed : 0) + (e2e ? e2e.skipped : 0);
  if (setupFailed)
    log(`${setupFailed} test(s) did not run because their file's setup failed (see above)`);
  log(
    `finished in ${((Date.now() - t0) / 1000).toFixed(0)} s${e2e ? ` (browser: ${e2e.expected} passed, ${e2e.unexpected} failed)` : ""}`,
  );
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  if (passed + failed === 0) {
    console.error("[relay] no tests ran");
    process.exit(1);
  }
  process.exit(r.status === 0 && failed === 0 ? 0 : 1);
} catch (err) {
  console.error(`[relay] ${err instanceof ProvisionError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
}
