#!/usr/bin/env node
// npm run services:up | services:stop | services:status
import {
  ensureCassandra,
  cassandraPid,
  parseContactPoint,
  stopCassandra,
} from "./lib/cassandra.mjs";
import { loadEnv } from "./lib/env.mjs";
import { log, tcpOpen, ProvisionError } from "./lib/proc.mjs";
import { servicesUp } from "./lib/services.mjs";

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
