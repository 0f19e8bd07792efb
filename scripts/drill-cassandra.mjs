#!/usr/bin/env node
// npm run drill:cassandra — the replicated-Cassandra drill (issue 12), not in CI:
//  1. provisions like `npm test` (Postgres, Redis, the test profile);
//  2. starts a fresh 3-node Cassandra cluster on 127.0.0.2, .3 and .4
//     (standard ports on their own loopback addresses, beside the single
//     dev/test node on 127.0.0.1; 512 MiB heaps, data under .data/cassandra-drill);
//  3. creates keyspace relay_drill with SimpleStrategy RF 3;
//  4. runs apps/realtime/test/cassandra-drill.drill.ts: 3 realtime nodes and
//     at-least-once clients at LOCAL_QUORUM; node 127.0.0.4 is SIGKILLed
//     under load; every acked message must be in history exactly once;
//  5. writes bench/results/drill-cassandra-<time>.json and the
//     "drill-cassandra" section of docs/benchmarks.md, and stops the cluster.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

ensureDependencies();
await reexecUnderProjectNode();

const { tsImport } = await import("tsx/esm/api");
const { cqlReady, ensureJars, ensureJava, launchCassandra, renderConf } =
  await import("./lib/cassandra.mjs");
const { loadEnv } = await import("./lib/env.mjs");
const { log, sleep, waitFor } = await import("./lib/proc.mjs");
const { dataDir, root } = await import("./lib/paths.mjs");
const { servicesUp } = await import("./lib/services.mjs");
const { migrateAll } = await import("./migrate.mjs");
const { gitState, machineInfo, runLabel, writeDocSection, writeResult } =
  await import("../bench/results.ts");

// 127.0.0.1:9042 is the dev/test node. The drill's nodes use the standard
// ports on their own addresses: the driver reaches discovered peers on the
// native port it connected with, so a drill node on another port would make
// it talk to the dev node (seen: "Prepared query … not found" from 127.0.0.1:9042).
const NATIVE_PORT = 9042;
const STORAGE_PORT = 7000;
const ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
const KEYSPACE = "relay_drill";
const contactPoints = ADDRESSES.map((a) => `${a}:${NATIVE_PORT}`).join(",");

const env = loadEnv("test");
await servicesUp(env);
await migrateAll(env);

const java = ensureJava();
const lib = ensureJars();
const clusterDir = path.join(dataDir, "cassandra-drill");
rmSync(clusterDir, { recursive: true, force: true });
const pids = [];
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function stopCluster() {
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(500);
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
}
process.on("SIGINT", () => void stopCluster().then(() => process.exit(130)));

let status = 1;
try {
  const t0 = Date.now();
  // One node at a time: Cassandra lets only one node join the ring at once.
  for (const [i, address] of ADDRESSES.entries()) {
    const dir = path.join(clusterDir, `node${i + 1}`);
    const { conf, jvm } = renderConf({
      port: NATIVE_PORT,
      dir,
      address,
      storagePort: STORAGE_PORT,
      seeds: `${ADDRESSES[0]}:${STORAGE_PORT}`,
      replicationForTokens: 3,
      heap: "512m",
    });
    log(`starting drill Cassandra node ${address}:${NATIVE_PORT}…`);
    const pid = launchCassandra({
      java,
      lib,
      conf,
      jvm,
      home: dir,
      logDir: path.join(dir, "logs"),
      jmxPort: 7300 + i,
    });
    pids.push(pid);
    await waitFor(
      `drill Cassandra ${address}`,
      async () => {
        if (!alive(pid)) throw new Error(`node ${address} exited; see ${dir}/logs`);
        return cqlReady(address, NATIVE_PORT).catch(() => false);
      },
      240_000,
      { intervalMs: 1000, hint: `Log: ${dir}/logs/system.log` },
    );
  }
  log(`3-node cluster up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const { createCassandraClient, migrateKeyspace } = await tsImport(
    "../packages/messages/src/index.ts",
    import.meta.url,
  );
  const { default: cassandra } = await import("cassandra-driver");
  const { DCAwareRoundRobinPolicy, WhiteListPolicy } = cassandra.policies.loadBalancing;
  // DDL through one coordinator (its own schema is always current), then
  // wait until gossip has brought the schema to the other two.
  const first = `${ADDRESSES[0]}:${NATIVE_PORT}`;
  const client = createCassandraClient({
    contactPoints: first,
    localDataCenter: "datacenter1",
    driverOptions: {
      policies: {
        loadBalancing: new WhiteListPolicy(new DCAwareRoundRobinPolicy("datacenter1"), [first]),
        reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000),
      },
    },
  });
  try {
    await migrateKeyspace(client, {
      keyspace: KEYSPACE,
      replication: { class: "SimpleStrategy", replication_factor: 3 },
    });
    // Every node must have every table before the load starts.
    const want = (
      await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [
        KEYSPACE,
      ])
    ).rows.length;
    for (const address of ADDRESSES) {
      const point = `${address}:${NATIVE_PORT}`;
      const one = new cassandra.Client({
        contactPoints: [point],
        localDataCenter: "datacenter1",
        policies: {
          loadBalancing: new WhiteListPolicy(new DCAwareRoundRobinPolicy("datacenter1"), [point]),
        },
      });
      try {
        await waitFor(
          `the schema of ${KEYSPACE} on ${address}`,
          async () =>
            (
              await one.execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
                [KEYSPACE],
              )
            ).rows.length === want,
          120_000,
          { intervalMs: 1000 },
        );
      } finally {
        await one.shutdown();
      }
    }
  } finally {
    await client.shutdown();
  }

  const tmp = mkdtempSync(path.join(os.tmpdir(), "relay-drill-"));
  const out = path.join(tmp, "report.json");
  const r = spawnSync(
    path.join(root, "node_modules/.bin/vitest"),
    ["run", "--config", "vitest.drill.config.ts"],
    {
      cwd: path.join(root, "apps/realtime"),
      stdio: "inherit",
      env: {
        ...process.env,
        ...env,
        CASSANDRA_CONTACT_POINTS: contactPoints,
        CASSANDRA_KEYSPACE: KEYSPACE,
        RELAY_DRILL_VICTIM_PID: String(pids[2]),
        RELAY_DRILL_REPORT: out,
      },
    },
  );
  status = r.status ?? 1;
  let report;
  try {
    report = JSON.parse(readFileSync(out, "utf8"));
  } catch {
    console.error("[drill] the run wrote no report (see the test output above)");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (report) {
    const run = {
      startedAt: report.startedAt,
      ...gitState(),
      durationS: Math.round(report.durationMs / 1000),
      machine: machineInfo(),
      node: process.version,
    };
    const file = writeResult("drill-cassandra", { ...run, ...report });
    const ms = (v) => (v === null ? "not recovered" : `${v} ms`);
    const p = report.profile;
    await writeDocSection(
      {
        name: "drill-cassandra",
        by: "npm run drill:cassandra",
        heading: "Cassandra drill: 3 nodes, RF 3, one killed (npm run drill:cassandra)",
      },
      `${runLabel(run)} (${status === 0 ? "every invariant held" : "**the drill FAILED: see the figures**"}): Cassandra nodes on 127.0.0.2/3/4 (512 MiB heaps, one machine), keyspace \`${KEYSPACE}\` with SimpleStrategy RF 3, reads and writes at LOCAL_QUORUM; 3 realtime nodes; ${p.clients} at-least-once clients in ${p.conversations} groups sending every ${p.sendEveryMs} ms. Raw figures: \`bench/results/${file}\`.

| attempts | sends | acked | lost | duplicates | seq collisions | clients converged |
| -------- | ----- | ----- | ---- | ---------- | -------------- | ----------------- |
| ${report.attempts} | ${report.sends} | ${report.acked} | ${report.lost} | ${report.duplicates} | ${report.seqCollisions} | ${report.converged} / ${report.clients} |

| step | at | failed attempts (until the next step) | next ack after it | every client acked again |
| ---- | -- | ------------------------------------- | ----------------- | ------------------------ |
${report.faults.map((f) => `| ${f.fault} | ${(f.atMs / 1000).toFixed(1)} s | ${f.failedAttempts} | ${ms(f.recoveryMs)} | ${ms(f.allClientsMs)} |`).join("\n")}`,
    );
    log(`drill written to bench/results/${file} and docs/benchmarks.md`);
  }
} finally {
  await stopCluster();
}
process.exit(status);
