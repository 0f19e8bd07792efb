#!/usr/bin/env node
// npm run bench: every benchmark (see docs/benchmarks.md), or some of them:
//   npm run bench -- --only messaging,s1,s4     (names below; default: all)
//
//  1. provisions exactly like `npm test` does: test profile (own database,
//     Redis db/prefix, keyspace), services up, migrations, realtime build;
//  2. messaging: starts four server processes — Relay node 1 (inspector on,
//     for the CPU-profile step) and node 2 (the built apps/realtime, one
//     Redis), the raw Socket.IO baseline and the socket+Cassandra baseline
//     (bench/baseline-server.mjs) — each on a free 127.0.0.1 port; runs the
//     load generator in its own process (bench/messaging.ts via tsx); stops
//     the servers, writes bench/results/messaging-<time>.json and
//     latest-messaging.json, the flame graph and profile summary of node 1,
//     and the tables in docs/benchmarks.md;
//  3. the other benchmarks, each its own process with its own servers:
//     presence, admin (users list), push, s1 (connections), s4 (fan-out),
//     s6 (reconnect storm).
// Everything is bounded: the generator has a time budget and a hard kill,
// every scenario bounds its own loops.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
const { renderFlameGraph } = await import("../bench/flamegraph.mjs");
const { profileShares, summarizeProfile } = await import("../bench/profile-summary.mjs");
const { gitState, machineInfo, resultFileName, writeDocSection, writeResult } =
  await import("../bench/results.ts");
const { buildAll } = await import("./lib/apps.mjs");
const { loadEnv } = await import("./lib/env.mjs");
const { log, ProvisionError, sleep } = await import("./lib/proc.mjs");
const { root } = await import("./lib/paths.mjs");
const { servicesUp } = await import("./lib/services.mjs");
const { migrateAll } = await import("./migrate.mjs");

/**
 * Benchmarks by name (`--only a,b`; aliases in brackets), in the order they
 * run, and the time each is given (seconds, measured on the 2-core machine
 * plus a margin): the whole `npm run bench` should end within ~15 minutes.
 * The messaging load generator gets what provisioning and the others leave.
 */
const BENCHMARKS = [
  { name: "messaging", aliases: ["m"], reserveS: 0 },
  { name: "connections", aliases: ["s1"], reserveS: 75, script: "bench/connections.ts" },
  { name: "fanout", aliases: ["s4"], reserveS: 75, script: "bench/fanout.ts" },
  { name: "reconnect", aliases: ["s6"], reserveS: 95, script: "bench/reconnect.ts" },
  { name: "presence", aliases: [], reserveS: 80, script: "bench/presence.ts" },
  { name: "admin", aliases: ["admin-users"], reserveS: 45, script: "bench/admin-users.ts" },
  { name: "push", aliases: [], reserveS: 65, script: "bench/push.ts" },
];
const TOTAL_BUDGET_S = 890;
const MIN_GENERATOR_BUDGET_S = 150;
const MAX_GENERATOR_BUDGET_S = 420;

/** The benchmarks this run does: `--only` names, minus BENCH_SKIP_<NAME>=1 (old switches). */
function selectBenchmarks(argv) {
  const i = argv.indexOf("--only");
  const eq = argv.find((a) => a.startsWith("--only="));
  const list = eq ? eq.slice(7) : i >= 0 ? (argv[i + 1] ?? "") : "";
  const wanted = list
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const w of wanted)
    if (!BENCHMARKS.some((b) => b.name === w || b.aliases.includes(w)))
      throw new Error(
        `--only: unknown benchmark "${w}" (known: ${BENCHMARKS.map((b) => [b.name, ...b.aliases].join("/")).join(", ")})`,
      );
  const skipped = (b) => process.env[`BENCH_SKIP_${b.name.toUpperCase()}`] === "1";
  return BENCHMARKS.filter(
    (b) =>
      (wanted.length === 0 ||
        wanted.includes(b.name) ||
        b.aliases.some((a) => wanted.includes(a))) &&
      !skipped(b),
  );
}
const selected = selectBenchmarks(process.argv.slice(2));

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

// `node scripts/bench.mjs --render <result.json>`: rewrite a benchmark's tables
// in docs/benchmarks.md from a stored result (messaging, connections, fanout,
// reconnect; no services, no load).
if (process.argv[2] === "--render") {
  const file = process.argv[3] ?? "";
  const result = JSON.parse(readFileSync(path.resolve(file), "utf8"));
  const report = await import("../bench/report.mjs");
  // latest-<name>.json is a copy of a run: name the run's own file in the text.
  const base = path.basename(file);
  const name = base.startsWith("latest-")
    ? resultFileName(result.benchmark, result.startedAt)
    : base;
  const renderers = {
    messaging: () => [report.MESSAGING_SECTION, report.renderMarkdown(result)],
    connections: () => [report.CONNECTIONS_SECTION, report.renderConnections(result, name)],
    fanout: () => [report.FANOUT_SECTION, report.renderFanout(result, name)],
    reconnect: () => [report.RECONNECT_SECTION, report.renderReconnect(result, name)],
  };
  if (!renderers[result.benchmark])
    throw new Error(`--render: no renderer for benchmark "${result.benchmark}"`);
  const [section, markdown] = renderers[result.benchmark]();
  await writeDocSection(section, markdown);
  log(`tables in docs/benchmarks.md rewritten from ${file}`);
  process.exit(0);
}

/** The messaging benchmark: its four servers, the load generator, results, flame graph, tables. */
async function runMessaging(provisioningS) {
  const ports = [];
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const [p1, p2, pb, pc, m1, m2] = ports;
  const realtimeCwd = path.join(root, "apps/realtime");
  const realtimeEntry = path.join(realtimeCwd, "dist/index.js");
  // BENCH_CPU_PROF=1: V8 CPU profile of node 1's whole life, written on exit;
  // summarize it with `node bench/profile-summary.mjs <file>`. Independent of
  // that, node 1 runs with its inspector on loopback: the generator profiles
  // one 300 msg/s step through it (bench/inspector.ts).
  const profileDir = path.join(root, "bench/results/profiles");
  const profArgs =
    process.env.BENCH_CPU_PROF === "1"
      ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=500"]
      : [];
  const node1 = startProcess(
    "relay-1",
    ["--inspect=127.0.0.1:0", ...profArgs, realtimeEntry],
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
    { BENCH_BASELINE_PORT: String(pb), BENCH_BASELINE_STORE: "none" },
    root,
  );
  const baselineC = startProcess(
    "base-cas",
    [path.join(root, "bench/baseline-server.mjs")],
    { BENCH_BASELINE_PORT: String(pc), BENCH_BASELINE_STORE: "cassandra" },
    root,
  );
  const urls = [p1, p2, pb, pc].map((p) => `http://127.0.0.1:${p}`);
  await Promise.all([
    waitHealthy(node1, urls[0]),
    waitHealthy(node2, urls[1]),
    waitHealthy(baseline, urls[2]),
    waitHealthy(baselineC, urls[3]),
  ]);
  const inspectorUrl = node1.tail
    .map((l) => /Debugger listening on (ws:\/\/\S+)/.exec(l)?.[1])
    .find(Boolean);
  log(
    `servers up: relay-1 ${urls[0]}, relay-2 ${urls[1]}, baseline ${urls[2]}, socket+Cassandra baseline ${urls[3]}`,
  );

  const resultsDir = path.join(root, "bench/results");
  mkdirSync(resultsDir, { recursive: true });
  const rawFile = path.join(resultsDir, `.raw-${process.pid}.json`);
  const profileFile = path.join(
    resultsDir,
    resultFileName("profile-relay-1", startedAt).replace(/\.json$/, ".cpuprofile"),
  );
  const elapsedS = (Date.now() - t0) / 1000;
  const othersS = selected.reduce((a, b) => a + b.reserveS, 0);
  const budgetS = Math.round(
    Math.max(
      MIN_GENERATOR_BUDGET_S,
      Math.min(MAX_GENERATOR_BUDGET_S, TOTAL_BUDGET_S - othersS - elapsedS - 15),
    ),
  );
  log(`running the load generator (budget ${budgetS} s)…`);
  await runGenerator(
    {
      BENCH_RELAY_URLS: `${urls[0]},${urls[1]}`,
      BENCH_RELAY_METRICS_URLS: `http://127.0.0.1:${m1},http://127.0.0.1:${m2}`,
      BENCH_BASELINE_URL: urls[2],
      BENCH_BASELINE_CASSANDRA_URL: urls[3],
      BENCH_OUT: rawFile,
      ...(inspectorUrl
        ? { BENCH_PROFILE_INSPECTOR: inspectorUrl, BENCH_PROFILE_OUT: profileFile }
        : {}),
      BENCH_PIDS: JSON.stringify({
        "relay-1": node1.child.pid,
        "relay-2": node2.child.pid,
        baseline: baseline.child.pid,
        "baseline-cassandra": baselineC.child.pid,
      }),
    },
    budgetS,
  );
  await stopAll();
  await wipeBenchKeys();

  const raw = JSON.parse(readFileSync(rawFile, "utf8"));
  rmSync(rawFile, { force: true });
  const file = resultFileName("messaging", startedAt);
  // Node 1's profile step: flame graph (SVG) and summary (markdown) beside the .cpuprofile.
  let profile = null;
  if (existsSync(profileFile)) {
    const cpuprofile = JSON.parse(readFileSync(profileFile, "utf8"));
    const base = profileFile.replace(/\.cpuprofile$/, "");
    const step = raw.targets.find((x) => x.id === "relay-same")?.profile;
    const title = `Relay node 1, ${step?.rate ?? "?"} msg/s for ${step?.seconds ?? "?"} s (sender + recipient on node 1), ${startedAt.toISOString()}`;
    writeFileSync(`${base}.svg`, renderFlameGraph(cpuprofile, title));
    writeFileSync(`${base}.md`, `# ${title}\n\n${summarizeProfile(cpuprofile, 20)}\n`);
    copyFileSync(`${base}.svg`, path.join(resultsDir, "latest-profile-relay-1.svg"));
    copyFileSync(`${base}.md`, path.join(resultsDir, "latest-profile-relay-1.md"));
    const shares = profileShares(cpuprofile);
    const share = (us) => Math.round((us / shares.busyUs) * 1000) / 10;
    profile = {
      busyS: Math.round(shares.busyUs / 1e4) / 100,
      wallS: Math.round(shares.wallUs / 1e4) / 100,
      owners: shares.owners.slice(0, 12).map(([k, v]) => [k, share(v)]),
      functions: shares.functions.slice(0, 12).map(([k, v]) => [k, share(v)]),
      cpuprofile: path.basename(profileFile),
      svg: path.basename(`${base}.svg`),
      summary: path.basename(`${base}.md`),
    };
    log(`flame graph: bench/results/${profile.svg}; summary bench/results/${profile.summary}`);
  }
  const result = {
    benchmark: raw.benchmark,
    file,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationS: Math.round((Date.now() - t0) / 1000),
    provisioningS,
    ...gitState(),
    machine: machine(),
    load: loadAverage(),
    node: process.version,
    socketIo: pkgVersion("socket.io"),
    socketIoClient: pkgVersion("socket.io-client"),
    cassandraDriver: pkgVersion("cassandra-driver"),
    servers: {
      relay:
        "apps/realtime/dist/index.js × 2 processes, one Redis (adapter), LOG_LEVEL=warn, NODE_ENV=test; node 1 with --inspect on loopback",
      baseline: "bench/baseline-server.mjs, 1 process, no store",
      "baseline-cassandra":
        "bench/baseline-server.mjs BENCH_BASELINE_STORE=cassandra, 1 process, one prepared INSERT at LOCAL_QUORUM per message (table bench_baseline_messages)",
    },
    profileFiles: profile,
    ...raw,
  };
  writeResult("messaging", result);

  const markdown = renderMarkdown(result);
  await writeDocSection(MESSAGING_SECTION, markdown);
  process.stdout.write(`\n${markdown}\n\n`);
  log(`results: bench/results/${file} (and latest-messaging.json); tables in docs/benchmarks.md`);
}

/** uptime's load averages, for the record (other work on the box skews every number). */
function loadAverage() {
  const [one, five, fifteen] = os.loadavg().map((v) => Math.round(v * 100) / 100);
  return { one, five, fifteen };
}

try {
  if (Number(process.versions.node.split(".")[0]) < 24)
    log(
      `warning: running on Node ${process.version}; the project targets Node 24 (use npm run bench)`,
    );
  log(
    `benchmarks: ${selected.map((b) => b.name).join(", ")} (load average ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(" / ")})`,
  );
  await servicesUp(env);
  await migrateAll(env);
  buildAll(env, ["@relay/realtime"]);
  const provisioningS = Math.round((Date.now() - t0) / 100) / 10;
  const timings = {};
  for (const b of selected) {
    const started = Date.now();
    if (b.name === "messaging") await runMessaging(provisioningS);
    else {
      log(`${b.name} benchmark…`);
      const r = spawnSync(process.execPath, ["--import", "tsx", b.script], {
        cwd: root,
        env,
        stdio: "inherit",
      });
      if (r.status !== 0) throw new ProvisionError(`${b.name} benchmark failed`);
    }
    timings[b.name] = Math.round((Date.now() - started) / 1000);
  }
  log(
    `benchmark finished in ${Math.round((Date.now() - t0) / 1000)} s (provisioning ${provisioningS} s; ${Object.entries(
      timings,
    )
      .map(([k, v]) => `${k} ${v} s`)
      .join(", ")})`,
  );
  process.exit(0);
} catch (err) {
  console.error(`[relay] ${err instanceof ProvisionError ? err.message : (err?.stack ?? err)}`);
  await stopAll();
  await wipeBenchKeys();
  process.exit(1);
}
