// S1 — connections (docs/benchmarks.md "Connections"): how many authenticated
// sockets one Relay node holds, what each costs in memory, and how fast they
// connect, against a bare Socket.IO server (bench/baseline-server.mjs, no
// auth, no stores) holding the same number, measured the same way in the same
// run.
//
// Per target: start the server (inspector on: a full GC before each memory
// reading), read its memory, open N sockets from several client processes
// (bench/socket-clients.ts; each connects from its own 127.x.y.z source
// addresses, so no (source, destination) pair runs out of ephemeral ports),
// wait for the server to count them all, read its memory again after a full
// GC, hold them, close. N = min(BENCH_S1_CONNECTIONS (50,000), what the
// machine's open-files hard limit lets one process hold): a server needs one
// fd per socket; the soft limit of every process is raised to the hard one.
// Relay sockets authenticate with a real access token (JWT check, deny list,
// per-IP handshake limit — lifted for the bench with REALTIME_HANDSHAKE_LIMIT —,
// presence registration in Redis); its users are synthetic ids (connecting
// reads no user row).
//
// Writes bench/results/connections-<time>.json, latest-connections.json and
// the "Connections" section of docs/benchmarks.md. Needs the test-profile env
// and a built apps/realtime/dist (scripts/bench.mjs provides both).
import { randomUUID } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { createTokenService } from "@relay/core";
import { openInspector, type TMemoryUsage } from "./inspector";
import {
  fdLimits,
  inspectorUrl,
  log as logFor,
  metricValue,
  procMemory,
  startBaseline,
  startRelayNode,
  startWorker,
  stopAll,
  stopProc,
  type Proc,
  type Worker,
} from "./procs";
import { createCpuSampler } from "./procstat";
import { CONNECTIONS_SECTION, renderConnections } from "./report.mjs";
import { ROOT, runInfo, writeDocSection, writeResult } from "./results";
import { envNumber, round, type TLatencySummary } from "./stats";
import { openBenchStores, unlinkMatching } from "./stores";

const env = process.env;
const num = envNumber;
const log = logFor("s1");

const SETTINGS = {
  wanted: num(env.BENCH_S1_CONNECTIONS, 50_000),
  /** fds a server keeps for itself (stores, listeners, inspector, stdio). */
  serverFdMargin: 500,
  /** Sockets per client process (each also needs an fd per socket). */
  perClient: num(env.BENCH_S1_PER_CLIENT, 7_000),
  /** Handshakes in flight per client process. */
  concurrency: num(env.BENCH_S1_CONCURRENCY, 64),
  /** Source addresses per client process (127.<target>.<client>.<k>). */
  addressesPerClient: 4,
  /** After the last connect, until the server counts them all (bounded). */
  settleMaxS: 30,
  /** How long the full set is held before reading memory again (and checking none dropped). */
  holdS: 5,
  connectTimeoutMs: 30_000,
};

interface TTargetResult {
  id: "bare" | "relay";
  description: string;
  wanted: number;
  connected: number;
  failed: number;
  errors: Record<string, number>;
  /** The server's own count (Relay: relay_connected_sockets; bare: engine clients). */
  serverCount: number | null;
  stillOpenAfterHold: number;
  connectS: number;
  connectsPerS: number;
  /** Handshake latency per socket (connect → `connect` event), from the clients. */
  handshake: TLatencySummary;
  /** Server process CPU over the connect phase, µs per connection. */
  serverCpuUsPerConnect: number;
  /** All client processes' CPU over the connect phase, µs per connection. */
  clientCpuUsPerConnect: number;
  /** Machine busy % over the connect phase (of all cores). */
  machineBusyPct: number;
  before: TMemoryUsage & { procRss: number };
  after: TMemoryUsage & { procRss: number; peakRss: number };
  perConnection: { rss: number; heapUsed: number; external: number };
  clients: number;
}

async function measure(
  id: TTargetResult["id"],
  server: Proc,
  n: number,
  auths: Array<Record<string, unknown>>,
  addressBase: number,
  serverCount: () => Promise<number | null>,
): Promise<TTargetResult> {
  const inspector = await openInspector(await inspectorUrl(server));
  const workers: Worker[] = [];
  try {
    await sleep(1_000);
    const before = { ...(await inspector.memoryAfterGc()), procRss: procMemory(server.pid)!.rss };
    const k = Math.ceil(n / SETTINGS.perClient);
    for (let i = 0; i < k; i++)
      workers.push(await startWorker(`s1-client-${i}`, "bench/socket-clients.ts"));
    const pids: Record<string, number> = { server: server.pid };
    workers.forEach((w, i) => (pids[`client-${i}`] = w.pid));
    const cpu = createCpuSampler(pids);
    const cpu0 = cpu.sample();
    log(`${id}: ${n} sockets from ${k} client processes…`);
    const t = performance.now();
    const results = await Promise.all(
      workers.map((w, i) =>
        w.request<{
          ok: number;
          failed: number;
          startAt: number;
          firstAt: number;
          lastAt: number;
          latency: TLatencySummary;
          errors: Record<string, number>;
        }>(
          {
            type: "connect",
            url: server.url,
            auths: auths.slice(i * SETTINGS.perClient, Math.min(n, (i + 1) * SETTINGS.perClient)),
            localAddresses: Array.from(
              { length: SETTINGS.addressesPerClient },
              (_, a) => `127.${addressBase}.${i + 1}.${a + 1}`,
            ),
            concurrency: SETTINGS.concurrency,
            timeoutMs: SETTINGS.connectTimeoutMs,
          },
          "connected",
          300_000,
        ),
      ),
    );
    const connectWallS = (performance.now() - t) / 1000;
    const cpuUse = cpu.diff(cpu0, cpu.sample(), os.cpus().length);
    const connected = results.reduce((a, r) => a + r.ok, 0);
    const failed = results.reduce((a, r) => a + r.failed, 0);
    const errors: Record<string, number> = {};
    for (const r of results)
      for (const [e, c] of Object.entries(r.errors)) errors[e] = (errors[e] ?? 0) + c;
    const start = Math.min(...results.map((r) => r.startAt));
    const last = Math.max(...results.map((r) => r.lastAt));
    const connectS = (last - start) / 1000;
    // The latency summaries of the clients, merged roughly: the worst p99, the median p50.
    const lat = results.map((r) => r.latency).filter((l) => l.count > 0);
    const pick = (f: (l: TLatencySummary) => number, how: "max" | "mid") => {
      const v = lat.map(f).sort((a, b) => a - b);
      return v.length ? (how === "max" ? v.at(-1)! : v[Math.floor(v.length / 2)]!) : 0;
    };
    const handshake: TLatencySummary = {
      count: lat.reduce((a, l) => a + l.count, 0),
      p50: pick((l) => l.p50, "mid"),
      p90: pick((l) => l.p90, "max"),
      p99: pick((l) => l.p99, "max"),
      p999: pick((l) => l.p999, "max"),
      max: pick((l) => l.max, "max"),
      mean: pick((l) => l.mean, "mid"),
    };
    log(
      `${id}: ${connected} connected, ${failed} failed in ${round(connectS)} s (${round(connected / connectS, 0)}/s; wall ${round(connectWallS)} s); handshake p50 ${handshake.p50} p99 ${handshake.p99} ms`,
    );
    if (failed) log(`${id}: errors ${JSON.stringify(errors)}`);
    // The server registers a socket just after the client sees `connect`: wait for its count.
    const settleUntil = performance.now() + SETTINGS.settleMaxS * 1000;
    let count = await serverCount();
    while ((count ?? 0) < connected && performance.now() < settleUntil) {
      await sleep(500);
      count = await serverCount();
    }
    await sleep(SETTINGS.holdS * 1000);
    const mem = procMemory(server.pid)!;
    const after = { ...(await inspector.memoryAfterGc()), procRss: mem.rss, peakRss: mem.peakRss };
    const open = (
      await Promise.all(workers.map((w) => w.request<{ open: number }>({ type: "count" }, "count")))
    ).reduce((a, r) => a + r.open, 0);
    const per = (a: number, b: number) => (connected ? Math.round((a - b) / connected) : 0);
    const result: TTargetResult = {
      id,
      description: "",
      wanted: n,
      connected,
      failed,
      errors,
      serverCount: count,
      stillOpenAfterHold: open,
      connectS: round(connectS, 2),
      connectsPerS: round(connected / connectS, 0),
      handshake,
      serverCpuUsPerConnect: round(
        (((cpuUse.processesPct.server ?? 0) / 100) * connectWallS * 1e6) / Math.max(1, connected),
        0,
      ),
      clientCpuUsPerConnect: round(
        ((Object.entries(cpuUse.processesPct)
          .filter(([k2]) => k2.startsWith("client-"))
          .reduce((a2, [, v2]) => a2 + v2, 0) /
          100) *
          connectWallS *
          1e6) /
          Math.max(1, connected),
        0,
      ),
      machineBusyPct: cpuUse.machineBusyPct,
      before,
      after,
      perConnection: {
        rss: per(after.procRss, before.procRss),
        heapUsed: per(after.heapUsed, before.heapUsed),
        external: per(after.external, before.external),
      },
      clients: k,
    };
    log(
      `${id}: server count ${count}, open after hold ${open}; per connection RSS ${result.perConnection.rss} B, heap ${result.perConnection.heapUsed} B, external ${result.perConnection.external} B`,
    );
    return result;
  } finally {
    inspector.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

async function main() {
  const startedAt = new Date();
  const t0 = performance.now();
  const limits = fdLimits();
  const n = Math.max(
    100,
    Math.min(SETTINGS.wanted, limits.hard - SETTINGS.serverFdMargin, SETTINGS.perClient * 50),
  );
  log(
    `open files: soft ${limits.soft}, hard ${limits.hard} (ulimit -Sn / -Hn) → ${n} sockets per server (wanted ${SETTINGS.wanted})`,
  );
  const prefix = `${env.REDIS_PREFIX ?? "relay:test:"}bench-s1:`;
  const stores = openBenchStores({ REDIS_PREFIX: prefix });
  const targets: TTargetResult[] = [];
  try {
    // Bare Socket.IO first (idle sockets: auth {userId} only), then Relay.
    const bare = await startBaseline("bare", "none", true);
    const bareAuths = Array.from({ length: n }, () => ({ userId: randomUUID() }));
    const bareResult = await measure("bare", bare, n, bareAuths, 11, async () => {
      const r = await fetch(`${bare.url}/stats`).then(
        (x) => x.json() as Promise<{ sockets: number }>,
      );
      return r.sockets;
    });
    bareResult.description =
      "bare Socket.IO server (same package and options, in-memory adapter, no auth, no stores)";
    targets.push(bareResult);
    await stopProc(bare);
    await sleep(1_000);

    log(`signing ${n} access tokens…`);
    const tokens = createTokenService({ jwtSecret: env.JWT_SECRET! });
    const relayAuths: Array<Record<string, unknown>> = [];
    for (let i = 0; i < n; i++)
      relayAuths.push({
        token: await tokens.signAccess(
          { userId: randomUUID(), role: "USER", sessionId: randomUUID() },
          3600,
        ),
      });
    const relay = await startRelayNode({ n: 1, redisPrefix: prefix, inspect: true });
    const relayResult = await measure("relay", relay, n, relayAuths, 12, () =>
      metricValue(relay, "relay_connected_sockets"),
    );
    relayResult.description =
      "Relay node (apps/realtime/dist): JWT handshake, deny list, per-IP limit (lifted), presence registration, Redis adapter";
    targets.push(relayResult);
    await stopProc(relay);
  } finally {
    await stopAll();
    // This benchmark's Redis keys (presence of the synthetic users, limiter counters).
    await unlinkMatching(stores.redis, `${prefix}*`);
    await stores.close();
  }
  const result = {
    benchmark: "connections",
    ...runInfo(startedAt, t0),
    load: os.loadavg().map((v) => round(v, 2)),
    settings: SETTINGS,
    fdLimits: limits,
    perServer: n,
    targets,
  };
  const file = writeResult("connections", result);
  await writeDocSection(CONNECTIONS_SECTION, renderConnections(result, file));
  log(`results: bench/results/${file}; section "Connections" in docs/benchmarks.md (root ${ROOT})`);
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(
      `[s1] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    await stopAll("SIGKILL");
    process.exit(1);
  },
);
