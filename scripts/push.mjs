#!/usr/bin/env node
// npm run push:standins — local FCM and APNs stand-ins (packages/push-standins)
//   on their own, printing the env a push worker needs to use them;
// npm run push:dlq -- list [limit] | count | replay [<id>…] — the push
//   dead-letter queue of the dev environment (.env), through apps/push/src/dlq.ts.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

ensureDependencies();
await reexecUnderProjectNode();

const { loadEnv } = await import("./lib/env.mjs");
const { root } = await import("./lib/paths.mjs");

const [command, ...args] = process.argv.slice(2);
const entry = {
  standins: "packages/push-standins/src/cli.ts",
  dlq: "apps/push/src/dlq.ts",
}[command];
if (!entry) {
  console.error("usage: node scripts/push.mjs standins | dlq <list|count|replay> …");
  process.exit(2);
}
const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, entry), ...args], {
  cwd: root,
  env: command === "dlq" ? loadEnv("dev") : process.env,
  stdio: "inherit",
});
process.exit(r.status ?? 1);
