#!/usr/bin/env node
// npm start: provision and start services, migrate, seed the demo, build and
// serve web, admin and realtime, and run one push worker. Ctrl-C stops the apps (services keep running;
// `npm run services:stop` stops Cassandra). REALTIME_NODES=N (N > 1) runs N
// realtime nodes behind nginx on REALTIME_PORT (scripts/lib/apps.mjs, nginx.mjs).
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

// Before anything that may need node_modules: install on a fresh clone (or
// after package-lock.json changed), then continue on the project's Node 24
// (scripts/lib/bootstrap.mjs). Static imports would be resolved before this
// runs, so every project module is loaded dynamically below it.
ensureDependencies();
await reexecUnderProjectNode();

const { buildAll, printLine, realtimeNodes, startApp } = await import("./lib/apps.mjs");
const { loadEnv } = await import("./lib/env.mjs");
const { ensureNginx, startRealtimeBalancer, stopStaleBalancer } = await import("./lib/nginx.mjs");
const { log, sleep, tcpOpen, ProvisionError } = await import("./lib/proc.mjs");
const { seed } = await import("./lib/seed.mjs");
const { servicesUp } = await import("./lib/services.mjs");
const { migrateAll } = await import("./migrate.mjs");

const env = loadEnv("dev");
const children = [];
let stopping = false;

async function waitHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) return res.status;
    } catch {
      /* not listening yet */
    }
    await sleep(300);
  }
  throw new ProvisionError(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  log("stopping apps…");
  // nginx: graceful (SIGQUIT) — no new connections, existing websockets end
  // as their nodes drain them (or after 5 s).
  for (const { name, child } of children)
    if (child.exitCode === null) child.kill(name === "nginx" ? "SIGQUIT" : "SIGTERM");
  const force = setTimeout(() => {
    for (const { child } of children) if (child.exitCode === null) child.kill("SIGKILL");
    process.exit(code);
  }, 10_000);
  Promise.all(
    children.map(({ child }) =>
      child.exitCode !== null ? null : new Promise((r) => child.once("exit", r)),
    ),
  ).then(() => {
    clearTimeout(force);
    log("stopped");
    process.exit(code);
  });
}

process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

const watch = (app) => {
  app.child.on("exit", (code, signal) => {
    if (!stopping) {
      log(`${app.name} exited (${signal ?? code}); stopping the others`);
      stopAll(1);
    }
  });
  children.push(app);
};

try {
  // One node on REALTIME_PORT (default), or REALTIME_NODES of them behind nginx.
  const nodes = realtimeNodes(env);
  const balanced = nodes.length > 1;
  await servicesUp(env);
  if (balanced) ensureNginx(`REALTIME_NODES=${nodes.length} runs the nodes behind nginx`);
  await migrateAll(env);
  await seed(env);
  // An nginx of ours that outlived an earlier run would hold REALTIME_PORT.
  await stopStaleBalancer();
  const ports = [
    ["REALTIME_PORT", env.REALTIME_PORT],
    ["WEB_PORT", env.WEB_PORT],
    ["ADMIN_PORT", env.ADMIN_PORT],
    ["PUSH_METRICS_PORT", env.PUSH_METRICS_PORT ?? "4100"],
    ...nodes.flatMap((n, k) => [
      ...(balanced
        ? [[`REALTIME_PORT (${n.name} listens on REALTIME_PORT+${k + 1})`, n.port]]
        : []),
      [`REALTIME_METRICS_PORT (${n.name}'s internal port)`, n.metricsPort],
    ]),
  ];
  const seen = new Map();
  for (const [name, port] of ports) {
    if (!Number(port)) continue;
    if (seen.has(String(port)))
      throw new ProvisionError(
        `port ${port} is wanted twice: ${seen.get(String(port))} and ${name} (change one in .env)`,
      );
    seen.set(String(port), name);
    if (await tcpOpen("127.0.0.1", Number(port)))
      throw new ProvisionError(
        `port ${port} is already in use (is Relay already running? or set ${name} in .env)`,
      );
  }
  buildAll(env);
  for (const node of nodes) watch(startApp("realtime", env, { label: node.name, env: node.env }));
  for (const name of ["web", "admin", "push"]) watch(startApp(name, env));
  const others = Promise.all([
    waitHttp(`http://127.0.0.1:${env.WEB_PORT}/`),
    waitHttp(`http://127.0.0.1:${env.ADMIN_PORT}/`),
    waitHttp(`http://127.0.0.1:${env.PUSH_METRICS_PORT ?? "4100"}/healthz`),
  ]);
  others.catch(() => {});
  await Promise.all(nodes.map((n) => waitHttp(`http://127.0.0.1:${n.port}/healthz`)));
  // nginx once its nodes answer (before, it would mark them down and say so).
  if (balanced && !stopping) {
    const lb = await startRealtimeBalancer({
      port: env.REALTIME_PORT,
      upstreams: nodes.map((n) => `127.0.0.1:${n.port}`),
      // nginx's notices (workers starting, reloads) are not worth a line each.
      onLog: (line, level) => {
        if (!["debug", "info", "notice"].includes(level)) printLine("nginx", "nginx", line);
      },
    });
    watch({ name: "nginx", child: lb.child });
    await waitHttp(`http://127.0.0.1:${env.REALTIME_PORT}/healthz`);
  }
  await others;
  if (stopping) throw new ProvisionError("an app stopped during start-up");
  log("");
  log(`Relay is running:`);
  log(`  web       ${env.WEB_URL}`);
  log(`  admin     http://localhost:${env.ADMIN_PORT}`);
  const metricsPorts = [...new Set([nodes[0].metricsPort, nodes.at(-1).metricsPort])].join("-");
  log(
    `  realtime  ${env.REALTIME_PUBLIC_URL}  (health: ${env.REALTIME_PUBLIC_URL}/healthz; metrics: http://127.0.0.1:${metricsPorts}/metrics)`,
  );
  if (balanced)
    log(
      `            nginx → ${nodes.length} nodes on 127.0.0.1:${nodes[0].port}-${nodes.at(-1).port}`,
    );
  log(
    `  push      one worker (metrics: http://localhost:${env.PUSH_METRICS_PORT ?? "4100"}/metrics; fake providers: npm run push:standins)`,
  );
  log(
    `  demo accounts (password relay-demo-1): admin@relay.local, alice@relay.local, bob@relay.local`,
  );
  log(`Ctrl-C stops the apps.`);
} catch (err) {
  console.error(`[relay] ${err instanceof ProvisionError ? err.message : (err?.stack ?? err)}`);
  stopAll(1);
}
