#!/usr/bin/env node
// npm run bench: the messaging benchmark (see docs/benchmarks.md).
//  1. provisions exactly like `npm test` does: test profile (own database,
//     Redis db/prefix, keyspace), services up, migrations, realtime build;
//  2. starts three server processes: Relay node 1 and node 2 (the built
//     apps/realtime, one Redis) and the raw Socket.IO baseline
//     (bench/baseline-server.mjs), each on a free 127.0.0.1 port;
//  3. runs the load generator in its own process (bench/messaging.ts via tsx);
//  4. stops the servers, writes bench/results/messaging-<time>.json and
//     latest-messaging.json, and the tables in docs/benchmarks.md.
// Everything is bounded: the generator has a time budget and a hard kill.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { ensureDependencies, reexecUnderProjectNode } from "./lib/bootstrap.mjs";

// Before anything that may need node_modules: install on a fresh clone (or
// after package-lock.json changed), then continue on the project's Node 24
// (scripts/lib/bootstrap.mjs). Static imports would be resolved before this
// runs, so every project module is loaded dynamically below it.
ensureDependencies();
await reexecUnderProjectNode();

const { MESSAGING_SECTION, renderMarkdown } = await import("../bench/report.mjs");
const { gitState, machineInfo, resultFileName, writeDocSection, writeResult } =
  await import("../bench/results.ts");
const { buildAll } = await import("./lib/apps.mjs");
const { loadEnv } = await import("./lib/env.mjs");
const { log, ProvisionError, sleep } = await import("./lib/proc.mjs");
const { root } = await import("./lib/paths.mjs");
const { servicesUp } = await import("./lib/services.mjs");
const { migrateAll } = await import("./migrate.mjs");

/**
 * The whole `npm run bench` should end within ~6 minutes: the messaging load
 * generator gets what provisioning left, minus what the presence benchmark
 * (run after it, ~1.5 min) needs.
 */
const TOTAL_BUDGET_S = 345;
const PRESENCE_RESERVE_S = process.env.BENCH_SKIP_PRESENCE === "1" ? 0 : 100;
const MIN_GENERATOR_BUDGET_S = 120;
const MAX_GENERATOR_BUDGET_S = 285;

const t0 = Date.now();
const startedAt = new Date();
const testEnv = loadEnv("test");
const env = {
  ...process.env,
  ...testEnv,
  // The test profile's stores, but a Redis prefix of its own: the Socket.IO
  // adapter channel derives from it, and a test run on the same machine must
  // not see (or disconnect, or broadcast to) the benchmark's sockets.
  REDIS_PREFIX: `${testEnv.REDIS_PREFIX}bench:`,
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
};
const children = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function startProcess(name, args, extraEnv, cwd) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail = [];
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        process.stdout.write(`${name.padEnd(8)}│ ${line}\n`);
      }
    });
  }
  const proc = { name, child, tail, exited: false, code: null };
  child.on("exit", (code, signal) => {
    proc.exited = true;
    proc.code = code ?? signal;
  });
  children.push(proc);
  return proc;
}

async function waitHealthy(proc, url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited)
      throw new ProvisionError(
        `${proc.name} exited (${proc.code}) during start-up:\n${proc.tail.join("\n")}`,
      );
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline)
      throw new ProvisionError(
        `${proc.name} not healthy at ${url}/healthz after ${timeoutMs / 1000} s`,
      );
    await sleep(250);
  }
}

/** SIGTERM every child we started (by pid), SIGKILL whatever is left after 12 s. */
async function stopAll() {
  const alive = children.filter((p) => !p.exited);
  for (const p of alive) p.child.kill("SIGTERM");
  const deadline = Date.now() + 12_000;
  while (alive.some((p) => !p.exited) && Date.now() < deadline) await sleep(100);
  for (const p of alive) if (!p.exited) p.child.kill("SIGKILL");
}

function runGenerator(extraEnv, budgetS) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/messaging.ts"], {
      cwd: root,
      env: { ...env, ...extraEnv, BENCH_BUDGET_S: String(budgetS) },
      stdio: "inherit",
    });
    const proc = { name: "loadgen", child, tail: [], exited: false, code: null };
    children.push(proc);
    const hardKill = setTimeout(
      () => {
        log(`load generator still running after ${budgetS + 45} s: killing it`);
        child.kill("SIGKILL");
      },
      (budgetS + 45) * 1000,
    );
    child.on("exit", (code, signal) => {
      proc.exited = true;
      clearTimeout(hardKill);
      if (code === 0) resolve();
      else reject(new ProvisionError(`load generator failed (${code ?? signal})`));
    });
  });
}

const pkgVersion = (name) => {
  try {
    return JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8"))
      .version;
  } catch {
    return "?";
  }
};

function machine() {
  const cpus = os.cpus();
  return { ...machineInfo(), cpuMHz: cpus[0]?.speed ?? 0, arch: os.arch() };
}

/**
 * Everything under the benchmark's own Redis prefix (member caches, seq and
 * dedup keys, presence hashes of the deleted bench users): removed once the
 * servers are down. Bounded SCAN.
 */
async function wipeBenchKeys() {
  const { Redis } = await import("ioredis");
  const redis = new Redis(env.REDIS_URL, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: () => null, // fail instead of reconnecting forever
  });
  let removed = 0;
  try {
    await redis.connect();
    const until = Date.now() + 15_000;
    let cursor = "0";
    let rounds = 0;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${env.REDIS_PREFIX}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) removed += await redis.unlink(...keys);
    } while (cursor !== "0" && ++rounds < 10_000 && Date.now() < until);
  } catch (err) {
    log(`could not remove the benchmark's Redis keys: ${err?.message ?? err}`);
  } finally {
    redis.disconnect();
  }
  return removed;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    log(`${signal}: stopping the benchmark processes…`);
    void stopAll().finally(() => process.exit(130));
  });
}

// `node scripts/bench.mjs --render <result.json>`: rewrite the tables in
// docs/benchmarks.md from a stored result (no services, no load).
if (process.argv[2] === "--render") {
  const result = JSON.parse(readFileSync(path.resolve(process.argv[3] ?? ""), "utf8"));
  await writeDocSection(MESSAGING_SECTION, renderMarkdown(result));
  log(`tables in docs/benchmarks.md rewritten from ${process.argv[3]}`);
  process.exit(0);
}

try {
  if (Number(process.versions.node.split(".")[0]) < 24)
    log(
      `warning: running on Node ${process.version}; the project targets Node 24 (use npm run bench)`,
    );
  await servicesUp(env);
  await migrateAll(env);
  buildAll(env, ["@relay/realtime"]);
  const provisioningS = Math.round((Date.now() - t0) / 100) / 10;

  const [p1, p2, pb, m1, m2] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const realtimeCwd = path.join(root, "apps/realtime");
  const realtimeEntry = path.join(realtimeCwd, "dist/index.js");
  // BENCH_CPU_PROF=1: V8 CPU profile of node 1 (the senders' node), written on exit;
  // summarize it with `node bench/profile-summary.mjs <file>`.
  const profileDir = path.join(root, "bench/results/profiles");
  const profArgs =
    process.env.BENCH_CPU_PROF === "1"
      ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=500"]
      : [];
  const node1 = startProcess(
    "relay-1",
    [...profArgs, realtimeEntry],
    { REALTIME_PORT: String(p1), REALTIME_METRICS_PORT: String(m1), LOG_LEVEL: "warn" },
    realtimeCwd,
  );
  const node2 = startProcess(
    "relay-2",
    [realtimeEntry],
    { REALTIME_PORT: String(p2), REALTIME_METRICS_PORT: String(m2), LOG_LEVEL: "warn" },
    realtimeCwd,
  );
  const baseline = startProcess(
    "baseline",
    [path.join(root, "bench/baseline-server.mjs")],
    { BENCH_BASELINE_PORT: String(pb) },
    root,
  );
  const urls = [p1, p2, pb].map((p) => `http://127.0.0.1:${p}`);
  await Promise.all([
    waitHealthy(node1, urls[0]),
    waitHealthy(node2, urls[1]),
    waitHealthy(baseline, urls[2]),
  ]);
  log(`servers up: relay-1 ${urls[0]}, relay-2 ${urls[1]}, baseline ${urls[2]}`);

  const resultsDir = path.join(root, "bench/results");
  mkdirSync(resultsDir, { recursive: true });
  const rawFile = path.join(resultsDir, `.raw-${process.pid}.json`);
  const elapsedS = (Date.now() - t0) / 1000;
  const budgetS = Math.round(
    Math.max(
      MIN_GENERATOR_BUDGET_S,
      Math.min(MAX_GENERATOR_BUDGET_S, TOTAL_BUDGET_S - PRESENCE_RESERVE_S - elapsedS - 10),
    ),
  );
  log(`running the load generator (budget ${budgetS} s)…`);
  await runGenerator(
    {
      BENCH_RELAY_URLS: `${urls[0]},${urls[1]}`,
      BENCH_RELAY_METRICS_URLS: `http://127.0.0.1:${m1},http://127.0.0.1:${m2}`,
      BENCH_BASELINE_URL: urls[2],
      BENCH_OUT: rawFile,
      BENCH_PIDS: JSON.stringify({
        "relay-1": node1.child.pid,
        "relay-2": node2.child.pid,
        baseline: baseline.child.pid,
      }),
    },
    budgetS,
  );
  await stopAll();
  await wipeBenchKeys();

  const raw = JSON.parse(readFileSync(rawFile, "utf8"));
  rmSync(rawFile, { force: true });
  const file = resultFileName("messaging", startedAt);
  const result = {
    benchmark: raw.benchmark,
    file,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationS: Math.round((Date.now() - t0) / 1000),
    provisioningS,
    ...gitState(),
    machine: machine(),
    node: process.version,
    socketIo: pkgVersion("socket.io"),
    socketIoClient: pkgVersion("socket.io-client"),
    servers: {
      relay:
        "apps/realtime/dist/index.js × 2 processes, one Redis (adapter), LOG_LEVEL=warn, NODE_ENV=test",
      baseline: "bench/baseline-server.mjs, 1 process",
    },
    ...raw,
  };
  writeResult("messaging", result);

  const markdown = renderMarkdown(result);
  await writeDocSection(MESSAGING_SECTION, markdown);
  process.stdout.write(`\n${markdown}\n\n`);
  log(`results: bench/results/${file} (and latest-messaging.json); tables in docs/benchmarks.md`);
  // Presence (bench/presence.ts, ~2 min): its own realtime nodes and a private
  // redis-server; writes latest-presence.json and the "Presence" section.
  if (process.env.BENCH_SKIP_PRESENCE !== "1") {
    log("presence benchmark…");
    const presence = spawnSync(process.execPath, ["--import", "tsx", "bench/presence.ts"], {
      cwd: root,
      env,
      stdio: "inherit",
    });
    if (presence.status !== 0) throw new ProvisionError("presence benchmark failed");
  }
  // The admin console's users list at 100k users (bench/admin-users.ts, ~40 s):
  // a scratch database of its own; writes the "Admin users list" section.
  if (process.env.BENCH_SKIP_ADMIN !== "1") {
    log("admin users-list benchmark…");
    const admin = spawnSync(process.execPath, ["--import", "tsx", "bench/admin-users.ts"], {
      cwd: root,
      env,
      stdio: "inherit",
    });
    if (admin.status !== 0) throw new ProvisionError("admin users-list benchmark failed");
  }
  // Push (bench/push.ts, ~1 min): send-path overhead with push on vs off, and
  // one worker's pushes/s against the local FCM/APNs stand-ins.
  if (process.env.BENCH_SKIP_PUSH !== "1") {
    log("push benchmark…");
    const push = spawnSync(process.execPath, ["--import", "tsx", "bench/push.ts"], {
      cwd: root,
      env,
      stdio: "inherit",
    });
    if (push.status !== 0) throw new ProvisionError("push benchmark failed");
  }
  log(`benchmark finished in ${result.durationS} s`);
  process.exit(0);
} catch (err) {
  console.error(`[relay] ${err instanceof ProvisionError ? err.message : (err?.stack ?? err)}`);
  await stopAll();
  await wipeBenchKeys();
  process.exit(1);
}
