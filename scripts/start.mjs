#!/usr/bin/env node
// npm start: provision and start services, migrate, seed the demo, build and
// serve web, admin and realtime, and run one push worker. Ctrl-C stops the apps (services keep running;
// `npm run services:stop` stops Cassandra).
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

// Before anything that may need node_modules: install on a fresh clone (or
// after package-lock.json changed), then continue on the project's Node 24
// (scripts/lib/bootstrap.mjs). Static imports would be resolved before this
// runs, so every project module is loaded dynamically below it.
ensureDependencies();
await reexecUnderProjectNode();

const { buildAll, startApp } = await import("./lib/apps.mjs");
const { loadEnv } = await import("./lib/env.mjs");
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
  for (const { child } of children) if (child.exitCode === null) child.kill("SIGTERM");
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

try {
  await servicesUp(env);
  await migrateAll(env);
  await seed(env);
  for (const [name, port] of [
    ["REALTIME_PORT", env.REALTIME_PORT],
    ["WEB_PORT", env.WEB_PORT],
    ["ADMIN_PORT", env.ADMIN_PORT],
    ["PUSH_METRICS_PORT", env.PUSH_METRICS_PORT ?? "4100"],
  ]) {
    if (await tcpOpen("127.0.0.1", Number(port)))
      throw new ProvisionError(
        `port ${port} is already in use (is Relay already running? or set ${name} in .env)`,
      );
  }
  buildAll(env);
  for (const name of ["realtime", "web", "admin", "push"]) {
    const app = startApp(name, env);
    app.child.on("exit", (code, signal) => {
      if (!stopping) {
        log(`${name} exited (${signal ?? code}); stopping the others`);
        stopAll(1);
      }
    });
    children.push(app);
  }
  await Promise.all([
    waitHttp(`http://127.0.0.1:${env.REALTIME_PORT}/healthz`),
    waitHttp(`http://127.0.0.1:${env.WEB_PORT}/`),
    waitHttp(`http://127.0.0.1:${env.ADMIN_PORT}/`),
    waitHttp(`http://127.0.0.1:${env.PUSH_METRICS_PORT ?? "4100"}/healthz`),
  ]);
  if (stopping) throw new ProvisionError("an app stopped during start-up");
  log("");
  log(`Relay is running:`);
  log(`  web       ${env.WEB_URL}`);
  log(`  admin     http://localhost:${env.ADMIN_PORT}`);
  log(
    `  realtime  ${env.REALTIME_PUBLIC_URL}  (health: ${env.REALTIME_PUBLIC_URL}/healthz, metrics: /metrics)`,
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
