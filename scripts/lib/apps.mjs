// Build and run the apps (and the push worker) as child processes with prefixed output.
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { log, ProvisionError } from "./proc.mjs";
import { root } from "./paths.mjs";

/** At most this many realtime nodes from `npm start` (ports REALTIME_PORT+1 … +N must stay clear of the others). */
export const MAX_REALTIME_NODES = 32;

/** REALTIME_NODES: how many realtime nodes `npm start` runs (default 1). */
export function realtimeNodeCount(env) {
  const raw = env.REALTIME_NODES?.trim() || "1";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REALTIME_NODES)
    throw new ProvisionError(
      `REALTIME_NODES must be a whole number from 1 to ${MAX_REALTIME_NODES} (got ${JSON.stringify(raw)})`,
    );
  return n;
}

/**
 * The realtime nodes `npm start` runs: [{ name, port, metricsPort, env }],
 * `env` being what the node's environment overrides (undefined = removed).
 *
 * - One node (the default): on REALTIME_PORT, internal port
 *   REALTIME_METRICS_PORT, exactly as before — no nginx.
 * - N > 1: nginx listens on REALTIME_PORT (so REALTIME_PUBLIC_URL, the URL
 *   the web app hands to browsers, does not change) and node i = 1…N on
 *   127.0.0.1:REALTIME_PORT+i with internal port REALTIME_METRICS_PORT+i−1
 *   and NODE_ID <host>-realtime-<i>. The nodes trust 127.0.0.1 and ::1 (the
 *   local nginx) in addition to TRUSTED_PROXIES, so the per-IP handshake
 *   limit counts the browser's address from X-Forwarded-For; each announces
 *   its own internal URL (a REALTIME_INTERNAL_URL in .env would name one
 *   node for all, so it is dropped).
 */
export function realtimeNodes(env) {
  const n = realtimeNodeCount(env);
  const port = Number(env.REALTIME_PORT ?? 4000);
  const metrics = Number(env.REALTIME_METRICS_PORT ?? 9464);
  if (n === 1) return [{ name: "realtime", port, metricsPort: metrics, env: {} }];
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._:-]/g, "-")
      .slice(0, 40) || "local";
  const trusted = [env.TRUSTED_PROXIES, "127.0.0.1/32", "::1/128"].filter(Boolean).join(",");
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    const metricsPort = metrics === 0 ? 0 : metrics + k;
    return {
      name: `realtime-${i}`,
      port: port + i,
      metricsPort,
      env: {
        REALTIME_PORT: String(port + i),
        REALTIME_HOST: "127.0.0.1",
        REALTIME_METRICS_PORT: String(metricsPort),
        NODE_ID: `${host}-realtime-${i}`,
        TRUSTED_PROXIES: trusted,
        REALTIME_INTERNAL_URL: undefined,
      },
    };
  });
}

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

const colors = { realtime: 36, web: 35, admin: 33, push: 32, nginx: 34 };

/** One line of a child's output, prefixed with its label in its app's colour. */
export function printLine(app, label, line) {
  const width = Math.max(8, label.length);
  process.stdout.write(`\x1b[${colors[app] ?? 37}m${label.padEnd(width)}\x1b[0m│ ${line}\n`);
}

/**
 * Start one app. `opts.label` names it in the output (default: the app's
 * name); `opts.env` overrides the environment (a key set to undefined is
 * removed) — the realtime nodes of realtimeNodes() use both.
 */
export function startApp(name, env, opts = {}) {
  const appEnv = { ...env, ...opts.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete appEnv[k];
  const spec = APPS[name](appEnv);
  const label = opts.label ?? name;
  const child = spawn(spec.cmd, spec.args, {
    cwd: spec.cwd,
    env: {
      ...appEnv,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(spec.port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const line of lines) printLine(name, label, line);
    });
  }
  return { name: label, child, port: spec.port };
}
