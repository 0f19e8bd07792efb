#!/usr/bin/env node
// npm run chaos: the long profile of the faults-under-load run
// (apps/realtime/test/chaos.ts; the CI-sized profile runs in npm test).
// Provisions like `npm test` (it runs through scripts/test.mjs), then writes
// bench/results/chaos-<time>.json, latest-chaos.json and the "chaos" section
// of docs/benchmarks.md. Not part of CI: about 2–3 minutes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

ensureDependencies();
await reexecUnderProjectNode();

const { root } = await import("./lib/paths.mjs");
const { machineInfo, gitState, runLabel, writeDocSection, writeResult } =
  await import("../bench/results.ts");

const dir = mkdtempSync(path.join(os.tmpdir(), "relay-chaos-"));
const out = path.join(dir, "report.json");
const profile = process.argv.includes("--ci") ? "ci" : "long";
const r = spawnSync(
  process.execPath,
  [path.join(root, "scripts/test.mjs"), "apps/realtime/test/chaos.integration"],
  {
    cwd: root,
    env: { ...process.env, RELAY_CHAOS_PROFILE: profile, RELAY_CHAOS_REPORT: out },
    stdio: "inherit",
  },
);
let report;
try {
  report = JSON.parse(readFileSync(out, "utf8"));
} catch {
  console.error("[chaos] the run wrote no report (see the test output above)");
  process.exit(r.status || 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const run = {
  startedAt: report.startedAt,
  ...gitState(),
  durationS: Math.round(report.durationS),
  machine: machineInfo(),
  node: process.version,
};
const file = writeResult("chaos", { ...run, ...report });
const p = report.profile;
const ms = (v) => (v === null ? "not recovered" : `${v} ms`);
const faults = report.faults
  .map(
    (f) =>
      `| ${f.fault} | ${(f.atMs / 1000).toFixed(1)} s | ${f.failedAttempts} | ${ms(f.recoveryMs)} | ${ms(f.allClientsMs)} |`,
  )
  .join("\n");
await writeDocSection(
  { name: "chaos", by: "npm run chaos", heading: "Faults under load (npm run chaos)" },
  `${runLabel(run)}, profile \`${p.name}\` (${r.status === 0 ? "every invariant held" : "**the run FAILED: see the figures**"}): ${p.clients} at-least-once clients in ${p.conversations} groups, each sending every ${p.sendEveryMs} ms (the next send waits for the ack), 3 realtime nodes, a private Redis, Cassandra behind a proxy that adds ${p.cassandraLatencyMs} ms per request and can be cut; ${p.rounds} round(s) of the five faults, ${(p.loadMs / 1000).toFixed(0)} s apart in all. Raw figures: \`bench/results/${file}\`.

| attempts | sends | acked | lost | duplicates | seq collisions | stored | clients converged |
| -------- | ----- | ----- | ---- | ---------- | -------------- | ------ | ----------------- |
| ${report.attempts} | ${report.sends} | ${report.acked} | ${report.lost} | ${report.duplicates} | ${report.seqCollisions} | ${report.storedMessages} | ${report.converged} / ${report.clients} |

| fault | at | failed attempts (until the next fault) | recovery: next ack after the fault ends | every client acked again |
| ----- | -- | -------------------------------------- | --------------------------------------- | ------------------------ |
${faults}`,
);
console.log(`[chaos] ${runLabel(run)}: written to bench/results/${file} and docs/benchmarks.md`);
process.exit(r.status ?? 1);
