#!/usr/bin/env node
// Print the nginx configuration Relay puts in front of realtime nodes
// (tooling/nginx.mjs, the same generator `REALTIME_NODES=3 npm start` and the
// tests use), for deployments that run nginx themselves. The first line
// records the command, so the output can be regenerated — and is checked
// against the generator by tests/deploy.test.ts.
//
//   node scripts/nginx-config.mjs [--host 0.0.0.0] [--port 4000]
//     [--dir /tmp/relay-nginx] [--forwarded-for replace|append]
//     [--workers auto|N] [--read-timeout 75] host:port…
//
// docker-compose.yml mounts deploy/nginx/realtime.conf (the nodes by their
// fixed addresses: nginx resolves names only when it loads its config, and
// would not start while one node's container is down), written with:
//   node scripts/nginx-config.mjs --host 0.0.0.0 --port 4000 --dir /tmp/relay-nginx \
//     --workers auto 172.28.0.11:4000 172.28.0.12:4000 172.28.0.13:4000 > deploy/nginx/realtime.conf
import { parseArgs } from "node:util";
import { renderNginxConfig } from "../tooling/nginx.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: "string" },
    port: { type: "string", default: "4000" },
    dir: { type: "string", default: "/tmp/relay-nginx" },
    "forwarded-for": { type: "string", default: "replace" },
    workers: { type: "string", default: "auto" },
    "read-timeout": { type: "string", default: "75" },
  },
});

try {
  if (!positionals.length) throw new Error("name at least one node (host:port)");
  const config = renderNginxConfig({
    dir: values.dir,
    port: Number(values.port),
    ...(values.host ? { host: values.host } : {}),
    upstreams: positionals,
    forwardedFor: values["forwarded-for"],
    workerProcesses: values.workers === "auto" ? "auto" : Number(values.workers),
    readTimeoutS: Number(values["read-timeout"]),
  });
  process.stdout.write(`# $ node scripts/nginx-config.mjs ${process.argv.slice(2).join(" ")}\n`);
  process.stdout.write(config);
} catch (err) {
  console.error(`[relay] ${err.message}`);
  process.exit(1);
}
