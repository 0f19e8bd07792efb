// Build and run the apps (and the push worker) as child processes with prefixed output.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { log, ProvisionError } from "./proc.mjs";
import { root } from "./paths.mjs";

const bin = (name) => path.join(root, "node_modules/.bin", name);

/** turbo build (cached: a second run with no changes takes a second or two). */
export function buildAll(
  env,
  filters = ["@relay/realtime", "@relay/web", "@relay/admin", "@relay/push"],
) {
  log("building apps (turbo, cached)…");
  const r = spawnSync(
    bin("turbo"),
    ["run", "build", ...filters.map((f) => `--filter=${f}`), "--output-logs=errors-only"],
    {
      cwd: root,
      env: { ...env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: "inherit",
    },
  );
  if (r.status !== 0) throw new ProvisionError("build failed (see the output above)");
}

export const APPS = {
  realtime: (env) => ({
    cmd: process.execPath,
    args: [path.join(root, "apps/realtime/dist/index.js")],
    cwd: path.join(root, "apps/realtime"),
    port: env.REALTIME_PORT,
  }),
  // The Next.js apps run in their front server (server.ts → dist/server.js).
  web: (env) => ({
    cmd: process.execPath,
    args: [path.join(root, "apps/web/dist/server.js")],
    cwd: path.join(root, "apps/web"),
    port: env.WEB_PORT,
  }),
  admin: (env) => ({
    cmd: process.execPath,
    args: [path.join(root, "apps/admin/dist/server.js")],
    cwd: path.join(root, "apps/admin"),
    port: env.ADMIN_PORT,
  }),
  // The push worker; its port is only /metrics and /healthz.
  push: (env) => ({
    cmd: process.execPath,
    args: [path.join(root, "apps/push/dist/index.js")],
    cwd: path.join(root, "apps/push"),
    port: env.PUSH_METRICS_PORT ?? "4100",
  }),
};

const colors = { realtime: 36, web: 35, admin: 33, push: 32 };

export function startApp(name, env) {
  const spec = APPS[name](env);
  const child = spawn(spec.cmd, spec.args, {
    cwd: spec.cwd,
    env: { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(spec.port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `\x1b[${colors[name]}m${name.padEnd(8)}\x1b[0m│ `;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  return { name, child, port: spec.port };
}
