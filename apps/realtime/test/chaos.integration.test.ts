// Faults under load, CI-sized (apps/realtime/test/chaos.ts has the whole
// story). `npm run chaos` runs the long profile of the same harness and
// writes its figures to bench/results and docs/benchmarks.md.
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { openTestStores } from "@relay/core/testing";
import { CI_PROFILE, LONG_PROFILE, runChaos } from "./chaos";

const long = process.env.RELAY_CHAOS_PROFILE === "long";
const profile = long ? LONG_PROFILE : CI_PROFILE;
const stores = openTestStores({ dbPoolMax: 2 });
afterAll(() => stores.close());

describe(`faults under load (${profile.name} profile)`, () => {
  it(
    "SIGKILL, Cassandra cut, Redis restart without data, link drops, SIGTERM: nothing acked is lost or doubled, seqs never collide, every client converges",
    async () => {
      const startedAt = new Date();
      const t0 = performance.now();
      const report = await runChaos(profile, {
        messages: stores.messages,
        log: (line) => process.env.TEST_LOG_LEVEL === "debug" && console.log(line),
      });
      if (process.env.TEST_LOG_LEVEL === "debug") console.log(JSON.stringify(report, null, 2));
      // scripts/chaos.mjs turns this into bench/results and docs/benchmarks.md.
      const out = process.env.RELAY_CHAOS_REPORT;
      if (out)
        writeFileSync(
          out,
          JSON.stringify({
            startedAt: startedAt.toISOString(),
            durationS: (performance.now() - t0) / 1000,
            ...report,
          }),
        );
      // The load really ran through every fault.
      expect(report.faults).toHaveLength(profile.rounds * 5);
      expect(report.acked).toBe(report.sends);
      expect(report.acked).toBeGreaterThan(profile.clients * 20);
      expect(report.faults.some((f) => f.failedAttempts > 0)).toBe(true);
      // The invariants.
      expect(report.refused).toEqual({});
      expect({
        lost: report.lost,
        duplicates: report.duplicates,
        seqCollisions: report.seqCollisions,
      }).toEqual({ lost: 0, duplicates: 0, seqCollisions: 0 });
      expect(report.storedMessages).toBe(report.acked);
      expect(report.divergence).toEqual([]);
      expect(report.converged).toBe(report.clients);
      // Every fault was recovered from.
      for (const f of report.faults) expect(f.allClientsMs, f.fault).not.toBeNull();
    },
    long ? 600_000 : 180_000,
  );
});
