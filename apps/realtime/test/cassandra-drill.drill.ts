// The Cassandra drill (issue 12): three Cassandra nodes on 127.0.0.2/3/4,
// keyspace with RF 3, every read and write at LOCAL_QUORUM; one node is
// SIGKILLed under load. Sends must go on (a quorum is 2 of 3), nothing
// acknowledged may be lost, and every client converges. Run by
// scripts/drill-cassandra.mjs, which starts the cluster and passes the pid of
// the node to kill in RELAY_DRILL_VICTIM_PID.
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { openTestStores } from "@relay/core/testing";
import { runChaos, type TChaosProfile } from "./chaos";

const victim = Number(process.env.RELAY_DRILL_VICTIM_PID);
const stores = openTestStores({ dbPoolMax: 2 });
afterAll(() => stores.close());

const DRILL: TChaosProfile = {
  name: "cassandra-drill",
  clients: 12,
  conversations: 4,
  sendEveryMs: 100,
  loadMs: 40_000,
  cassandraCutMs: 0,
  nodeDownMs: 0,
  rounds: 1,
  cassandraLatencyMs: 0,
};

describe("Cassandra 3 nodes, RF 3, LOCAL_QUORUM", () => {
  it("keeps accepting sends with one node SIGKILLed; nothing acked is lost", async () => {
    expect(victim, "RELAY_DRILL_VICTIM_PID (run through npm run drill:cassandra)").toBeGreaterThan(
      0,
    );
    const startedAt = new Date();
    const report = await runChaos(DRILL, {
      messages: stores.messages,
      proxyCassandra: false,
      log: (line) => console.log(`[drill] ${line}`),
      faults: () => [
        {
          name: "SIGKILL one Cassandra node (127.0.0.4)",
          run: () => {
            process.kill(victim, "SIGKILL");
            return Promise.resolve();
          },
        },
        // The load goes on with two nodes for a while before it stops.
        { name: "two nodes for 10 s", run: () => sleep(10_000) },
      ],
    });
    const out = process.env.RELAY_DRILL_REPORT;
    if (out) writeFileSync(out, JSON.stringify({ startedAt: startedAt.toISOString(), ...report }));
    expect(report.refused).toEqual({});
    expect(report.acked).toBe(report.sends);
    expect({
      lost: report.lost,
      duplicates: report.duplicates,
      seqCollisions: report.seqCollisions,
    }).toEqual({
      lost: 0,
      duplicates: 0,
      seqCollisions: 0,
    });
    expect(report.divergence).toEqual([]);
    for (const f of report.faults) expect(f.allClientsMs, f.fault).not.toBeNull();
  });
});
