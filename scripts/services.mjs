#!/usr/bin/env node
// npm run services:up | services:stop | services:status
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

// Before anything that may need node_modules (Cassandra's probe loads
// cassandra-driver): install on a fresh clone (or after package-lock.json
// changed), then continue on the project's Node 24 (scripts/lib/bootstrap.mjs).
// Static imports would be resolved before this runs, so every project module
// is loaded dynamically below it.
ensureDependencies();
await reexecUnderProjectNode();

const { ensureCassandra, cassandraPid, parseContactPoint, stopCassandra } =
  await import("./lib/cassandra.mjs");
const { loadEnv } = await import("./lib/env.mjs");
const { log, tcpOpen, ProvisionError } = await import("./lib/proc.mjs");
const { servicesUp } = await import("./lib/services.mjs");

const [cmd = "up", profile = process.env.RELAY_PROFILE ?? "dev"] = process.argv.slice(2);
const env = loadEnv(profile);

try {
  if (cmd === "up") {
    await servicesUp(env);
  } else if (cmd === "cassandra") {
    await ensureCassandra(env.CASSANDRA_CONTACT_POINTS);
  } else if (cmd === "stop") {
    // Postgres and Redis are shared system services; only Cassandra is ours to stop.
    if (!(await stopCassandra())) log("no Cassandra started by this project is running");
  } else if (cmd === "status") {
    const pg = new URL(env.DATABASE_URL),
      rd = new URL(env.REDIS_URL),
      cs = parseContactPoint(env.CASSANDRA_CONTACT_POINTS);
    const rows = [
      ["postgres", await tcpOpen(pg.hostname, Number(pg.port || 5432))],
      ["redis", await tcpOpen(rd.hostname, Number(rd.port || 6379))],
      ["cassandra", await tcpOpen(cs.host, cs.port), cassandraPid() ? `pid ${cassandraPid()}` : ""],
    ];
    for (const [name, up, extra] of rows)
      log(`${name.padEnd(10)} ${up ? "up" : "down"} ${extra ?? ""}`);
  } else {
    throw new ProvisionError(`unknown command "${cmd}" (use up, stop or status)`);
  }
} catch (err) {
  console.error(`[relay] ${err instanceof ProvisionError ? err.message : err.stack}`);
  process.exit(1);
}
