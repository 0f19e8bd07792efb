// Presence benchmark (docs/benchmarks.md, "Presence"; design in docs/presence.md).
//
// 1. Steady-state Redis writes with N idle connected users, Relay vs the naive
//    per-user heartbeat, measured over the same window on the same Redis:
//    Relay's two realtime nodes hold N idle sockets while a small process
//    (bench/presence-heartbeat.ts) rewrites a presence key per user every
//    30 s, spread evenly. Writes are counted from `INFO commandstats` deltas
//    (every command Redis flags `write`, including those run inside Lua
//    scripts); the heartbeat uses SETEX, which Relay never does, so one delta
//    separates the two. Repeated for several N: Relay's count should not move.
// 2. Presence change latency to a watcher on the other node (HdrHistogram):
//    presence:set → watcher's `presence` event; socket close → offline;
//    connect → online. Measured with the largest N still connected.
//
// Runs after provisioning (scripts/bench.mjs, or bench/presence-run.mjs on its
// own): needs the test-profile env and a built apps/realtime/dist. Starts a
// private redis-server (same binary as the stores; INFO commandstats is
// server-wide, so other Relay processes on the shared Redis would count too —
// BENCH_PRESENCE_REDIS=shared uses REDIS_URL instead) and its own two
// realtime nodes with default presence timings; writes bench/results/presence-<time>.json, latest-presence.json and
// the "Presence" section of docs/benchmarks.md.
// Overrides: BENCH_PRESENCE_SCALE ("1000,10000"), BENCH_PRESENCE_WINDOW_S (30),
// BENCH_PRESENCE_SAMPLES (1000).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { io, type Socket } from "socket.io-client";
import { createTokenService } from "@relay/core";
import type { TPresence } from "@relay/shared/schemas";
import { ROOT, runInfo, runLabel, writeDocSection, writeResult, type TRunInfo } from "./results";
import {
  envNumber,
  newHistogram,
  recordMs,
  round as roundTo,
  summarize,
  type TLatencySummary,
} from "./stats";
import { openBenchStores, unlinkMatching } from "./stores";

const env = process.env;
const num = envNumber;
const required = (name: string): string => {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set (run through npm run bench)`);
  return v;
};
const log = (msg: string) => process.stdout.write(`[presence-bench] ${msg}\n`);
const round = (v: number, d = 2) => roundTo(v, d);

const PREFIX = `relay:bench-presence:`;
export const SETTINGS = {
  /** Connected idle users per measured window, ascending. */
  scale: (env.BENCH_PRESENCE_SCALE ?? "1000,10000").split(",").map(Number),
  windowS: num(env.BENCH_PRESENCE_WINDOW_S, 30),
  heartbeatIntervalS: 30,
  /** presence:set round trips measured (one at a time). */
  latencySamples: num(env.BENCH_PRESENCE_SAMPLES, 1000),
  /** connect → online and close → offline samples each. */
  connectSamples: 200,
  watched: 200,
  connectConcurrency: 200,
  /** Relay nodes run with the production defaults. */
  presenceTimings: { leaseTtlMs: 30_000, leaseRefreshMs: 10_000, reapIntervalMs: 5_000 },
};

// ------------------------------------------------------------------ processes

interface Proc {
  name: string;
  child: ChildProcess;
  out: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const procs: Proc[] = [];

function startProc(
  name: string,
  args: string[],
  extraEnv: Record<string, string>,
  cwd = ROOT,
  command = process.execPath,
  commandArgs: string[] = [],
) {
  const child = spawn(command, [...commandArgs, ...args], {
    cwd,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  for (const s of [child.stdout, child.stderr])
    s.on("data", (b: Buffer) => {
      for (const line of b.toString().split("\n").filter(Boolean)) {
        out.push(line);
        if (out.length > 50) out.shift();
      }
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const p = { name, child, out, exited };
  procs.push(p);
  return p;
}

async function stopProc(p: Proc, signal: NodeJS.Signals = "SIGTERM", graceMs = 12_000) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
  const r = await p.exited;
  clearTimeout(timer);
  return r;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(p: Proc, line: string, timeoutMs = 30_000) {
  const until = performance.now() + timeoutMs;
  while (!p.out.some((l) => l.includes(line))) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${p.out.join("\n")}`);
    if (performance.now() > until)
      throw new Error(`${p.name}: no "${line}" within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A throwaway redis-server for the measurement (no persistence), or null to use REDIS_URL. */
async function startPrivateRedis(): Promise<{ url: string; version: string } | null> {
  if (env.BENCH_PRESENCE_REDIS === "shared") return null;
  const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  if (which.status !== 0) return null;
  const port = await freePort();
  const p = startProc("redis", [], {}, ROOT, which.stdout.trim(), [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  await waitFor(p, "Ready to accept connections");
  const r = new Redis(`redis://127.0.0.1:${port}/0`);
  const version = /redis_version:(\S+)/.exec(await r.info("server"))?.[1] ?? "?";
  r.disconnect();
  return { url: `redis://127.0.0.1:${port}/0`, version };
}

let redisUrl = "";

async function startRelayNode(n: number) {
  const port = await freePort();
  const entry = path.join(ROOT, "apps/realtime/dist/index.js");
  if (!existsSync(entry)) throw new Error("apps/realtime/dist is missing: build it first");
  const p = startProc(`relay-${n}`, [entry], {
    REALTIME_PORT: String(port),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: PREFIX,
    NODE_ID: `presence-bench-${n}`,
    LOG_LEVEL: "info",
    PRESENCE_LEASE_TTL_MS: String(SETTINGS.presenceTimings.leaseTtlMs),
    PRESENCE_LEASE_REFRESH_MS: String(SETTINGS.presenceTimings.leaseRefreshMs),
    PRESENCE_REAP_INTERVAL_MS: String(SETTINGS.presenceTimings.reapIntervalMs),
  });
  await waitFor(p, '"msg":"listening"');
  return { proc: p, url: `http://127.0.0.1:${port}` };
}

// ------------------------------------------------------------------ redis stats

async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info("commandstats");
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

const writeFlagCache = new Map<string, boolean>();
/** Whether Redis flags a command `write` (COMMAND INFO), cached. */
async function isWrite(redis: Redis, name: string): Promise<boolean> {
  const cached = writeFlagCache.get(name);
  if (cached !== undefined) return cached;
  const [info] = (await redis.call("COMMAND", "INFO", name.split("|")[0]!)) as [
    [string, number, string[]] | null,
  ];
  const w = Boolean(info?.[2]?.includes("write"));
  writeFlagCache.set(name, w);
  return w;
}

interface TWriteDelta {
  total: number;
  byCommand: Record<string, number>;
}

async function writeDelta(
  redis: Redis,
  before: Map<string, number>,
  after: Map<string, number>,
): Promise<TWriteDelta> {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [name, calls] of after) {
    const d = calls - (before.get(name) ?? 0);
    if (d > 0 && (await isWrite(redis, name))) {
      byCommand[name] = d;
      total += d;
    }
  }
  return { total, byCommand };
}

// ------------------------------------------------------------------ sockets

type Client = Socket;

function connect(url: string, token: string): Promise<Client> {
  const s = io(url, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  return new Promise((resolve, reject) => {
    s.once("connect", () => resolve(s));
    s.once("connect_error", (err) => {
      s.close();
      reject(err);
    });
  });
}

async function connectMany(url: (i: number) => string, tokens: string[], from: number) {
  const out: Client[] = new Array<Client>(tokens.length);
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      out[i] = await connect(url(from + i), tokens[i]!);
    }
  };
  await Promise.all(Array.from({ length: SETTINGS.connectConcurrency }, worker));
  return out;
}

/** Resolve with the next presence event for `userId` with `status` on the watcher. */
function waiter(watcher: Client) {
  const pending = new Map<string, { status: string; resolve: (p: TPresence) => void }>();
  watcher.on("presence", (p: TPresence) => {
    const w = pending.get(p.userId);
    if (w && w.status === p.status) {
      pending.delete(p.userId);
      w.resolve(p);
    }
  });
  return (userId: string, status: TPresence["status"], timeoutMs = 10_000) =>
    new Promise<TPresence>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(userId);
        reject(new Error(`no ${status} for ${userId} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(userId, {
        status,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
}

// ------------------------------------------------------------------ main

interface TDrain {
  users: number;
  /** SIGTERM → the watcher has every watched user's offline event. */
  watchersSawOfflineMs: number | null;
  /** SIGTERM → process exit (includes closing every socket and store client). */
  exitMs: number;
  code: number | null;
}

interface TScalePoint {
  connectedUsers: number;
  windowS: number;
  relay: { writes: number; writesPerS: number; byCommand: Record<string, number> };
  heartbeat: { writes: number; writesPerS: number; expectedPerS: number };
  /** heartbeat writes ÷ Relay writes over the window */
  ratio: number | null;
  /** Writes while connecting this step's new users, per new connection (event cost, not steady state). */
  connectWritesPerConnection: number;
  registeredConnections: number;
}

async function main() {
  const t0 = performance.now();
  const startedAt = new Date();
  const limit = Number(spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim());
  const maxUsers = Math.max(...SETTINGS.scale);
  const needFds = maxUsers + SETTINGS.watched + 600;
  if (Number.isFinite(limit) && limit < needFds)
    throw new Error(`ulimit -n is ${limit}; ${maxUsers} users need about ${needFds}`);

  const privateRedis = await startPrivateRedis();
  redisUrl = privateRedis?.url ?? required("REDIS_URL");
  log(
    privateRedis
      ? `private redis-server ${privateRedis.version} at ${redisUrl}`
      : `shared Redis ${redisUrl} (other clients' writes count too)`,
  );
  // Bench data goes through the same store factory as the apps, on the Redis measured here.
  const stores = openBenchStores({ REDIS_URL: redisUrl });
  const { db, redis } = stores;
  const tokens = createTokenService({ jwtSecret: required("JWT_SECRET") });
  const sign = (userId: string) =>
    tokens.signAccess({ userId, role: "USER", sessionId: randomUUID() }, 3600);

  const runId = randomUUID().slice(0, 8);
  const watcherId = randomUUID();
  const watchedIds = Array.from({ length: SETTINGS.watched }, () => randomUUID());
  const convIds: string[] = [];
  const idle: Client[] = [];
  let watched: Client[] = [];
  let watcher: Client | null = null;
  const scale: TScalePoint[] = [];
  const latency: Record<string, TLatencySummary> = {};
  let drain: TDrain | null = null;

  await unlinkMatching(redis, `${PREFIX}*`);
  const nodes = [await startRelayNode(1), await startRelayNode(2)];
  log(`nodes up: ${nodes.map((n) => n.url).join(", ")}`);
  try {
    // Latency fixtures: one watcher sharing a DM with each watched user (Postgres).
    await db.user.createMany({
      data: [watcherId, ...watchedIds].map((id, i) => ({
        id,
        email: `presence-bench-${runId}-${i}@bench.relay`,
        name: `Presence bench ${i}`,
      })),
    });
    for (let i = 0; i < watchedIds.length; i++) convIds.push(randomUUID());
    await db.conversation.createMany({
      data: watchedIds.map((id, i) => ({
        id: convIds[i]!,
        type: "DIRECT" as const,
        directKey: [watcherId, id].sort().join(":"),
        createdById: watcherId,
      })),
    });
    await db.membership.createMany({
      // Both took part in their DM (docs/presence.md: only then may the other watch).
      data: watchedIds.flatMap((id, i) => [
        {
          conversationId: convIds[i]!,
          userId: watcherId,
          role: "OWNER" as const,
          participatedAt: new Date(),
        },
        {
          conversationId: convIds[i]!,
          userId: id,
          role: "MEMBER" as const,
          participatedAt: new Date(),
        },
      ]),
    });

    // Idle users: synthetic ids (the connect path needs only a valid token, no row).
    const idleTokens: string[] = [];
    for (let i = 0; i < maxUsers; i++) idleTokens.push(await sign(randomUUID()));

    for (const n of SETTINGS.scale) {
      const add = n - idle.length;
      const before = await commandCalls(redis);
      const t = performance.now();
      const fresh = await connectMany(
        (i) => nodes[i % 2]!.url,
        idleTokens.slice(idle.length, n),
        idle.length,
      );
      idle.push(...fresh);
      const connectS = (performance.now() - t) / 1000;
      // Registrations finish just after the handshake: wait until Redis has them all.
      const registered = await waitRegistered(redis, n);
      const connectWrites = await writeDelta(redis, before, await commandCalls(redis));
      log(
        `${n} idle users connected (+${add} in ${round(connectS, 1)} s, ${round(connectWrites.total / add, 2)} writes each); measuring ${SETTINGS.windowS} s…`,
      );

      const hb = startProc("heartbeat", ["--import", "tsx", "bench/presence-heartbeat.ts"], {
        BENCH_HB_USERS: String(n),
        BENCH_HB_INTERVAL_MS: String(SETTINGS.heartbeatIntervalS * 1000),
        BENCH_HB_PREFIX: `${PREFIX}hb:`,
        REDIS_URL: redisUrl,
      });
      await waitFor(hb, "ready");
      await sleep(1_000); // past the baseline's first tick
      const w0 = await commandCalls(redis);
      const wt0 = performance.now();
      await sleep(SETTINGS.windowS * 1000);
      const w1 = await commandCalls(redis);
      const windowS = (performance.now() - wt0) / 1000;
      await stopProc(hb);
      const delta = await writeDelta(redis, w0, w1);
      const hbWrites = delta.byCommand.setex ?? 0;
      const relayByCommand = { ...delta.byCommand };
      delete relayByCommand.setex;
      const relayWrites = delta.total - hbWrites;
      const point: TScalePoint = {
        connectedUsers: n,
        windowS: round(windowS, 1),
        relay: {
          writes: relayWrites,
          writesPerS: round(relayWrites / windowS, 3),
          byCommand: relayByCommand,
        },
        heartbeat: {
          writes: hbWrites,
          writesPerS: round(hbWrites / windowS, 1),
          expectedPerS: round(n / SETTINGS.heartbeatIntervalS, 1),
        },
        ratio: relayWrites ? round(hbWrites / relayWrites, 0) : null,
        connectWritesPerConnection: round(connectWrites.total / add, 2),
        registeredConnections: registered,
      };
      scale.push(point);
      log(
        `  N=${n}: Relay ${point.relay.writesPerS} writes/s ${JSON.stringify(relayByCommand)} · heartbeat ${point.heartbeat.writesPerS} writes/s · ratio ${point.ratio ?? "∞"}×`,
      );
    }

    // Latency, with the largest N still connected: watcher on node 1, watched users on node 2.
    log("presence change latency…");
    watcher = await connect(nodes[0]!.url, await sign(watcherId));
    const next = waiter(watcher);
    const watchedTokens = await Promise.all(watchedIds.map((id) => sign(id)));
    watched = await connectMany(() => nodes[1]!.url, watchedTokens, 0);
    const ack = (await watcher
      .timeout(10_000)
      .emitWithAck("presence:watch", { userIds: watchedIds })) as {
      ok: boolean;
      data?: TPresence[];
    };
    if (!ack.ok || !ack.data) throw new Error(`watch failed: ${JSON.stringify(ack)}`);
    // Registrations are asynchronous: any still offline arrive as events.
    await Promise.all(
      ack.data.filter((p) => p.status !== "online").map((p) => next(p.userId, "online")),
    );

    const setH = newHistogram();
    const status: Array<"online" | "away"> = watchedIds.map(() => "online");
    for (let k = 0; k < SETTINGS.latencySamples; k++) {
      const i = k % watchedIds.length;
      const to = status[i] === "online" ? "away" : "online";
      status[i] = to;
      const arrived = next(watchedIds[i]!, to);
      const t = performance.now();
      watched[i]!.emit("presence:set", { status: to }, () => undefined);
      await arrived;
      recordMs(setH, performance.now() - t);
    }
    latency.set = summarize(setH);
    // Back to online so close → offline and connect → online are clean transitions.
    for (let i = 0; i < watchedIds.length; i++)
      if (status[i] === "away") {
        const arrived = next(watchedIds[i]!, "online");
        watched[i]!.emit("presence:set", { status: "online" }, () => undefined);
        await arrived;
      }

    const offH = newHistogram();
    const onH = newHistogram();
    for (let k = 0; k < SETTINGS.connectSamples; k++) {
      const i = k % watchedIds.length;
      const off = next(watchedIds[i]!, "offline");
      let t = performance.now();
      watched[i]!.close();
      await off;
      recordMs(offH, performance.now() - t);
      const on = next(watchedIds[i]!, "online");
      t = performance.now();
      watched[i] = await connect(nodes[1]!.url, watchedTokens[i]!);
      await on;
      recordMs(onH, performance.now() - t);
    }
    latency.offline = summarize(offH);
    latency.online = summarize(onH);
    for (const [k, v] of Object.entries(latency))
      log(`  ${k}: p50 ${v.p50} ms · p99 ${v.p99} ms · max ${v.max} ms (${v.count} samples)`);

    // Graceful drain of node 2 (half the idle users plus the watched ones): SIGTERM → exit.
    const node2Users = Math.floor(maxUsers / 2) + watchedIds.length;
    const td = performance.now();
    let allOfflineMs: number | null = null;
    const allOffline = Promise.all(watchedIds.map((id) => next(id, "offline", 15_000))).then(
      () => (allOfflineMs = round(performance.now() - td, 0)),
      () => undefined,
    );
    const exit = await stopProc(nodes[1]!.proc, "SIGTERM");
    const exitMs = round(performance.now() - td, 0);
    await allOffline;
    drain = { users: node2Users, watchersSawOfflineMs: allOfflineMs, exitMs, code: exit.code };
    log(
      `  drain of node 2 (~${node2Users} users): the watcher saw all ${watchedIds.length} watched users offline after ${allOfflineMs ?? "–"} ms; exited ${exit.code} after ${exitMs} ms`,
    );
    if (env.BENCH_PRESENCE_DEBUG) log(`relay-2 output:\n${nodes[1]!.proc.out.join("\n")}`);
  } finally {
    watcher?.close();
    for (const s of [...idle, ...watched]) s.close();
    await Promise.all(procs.filter((p) => p.name !== "redis").map((p) => stopProc(p)));
    await db.conversation.deleteMany({ where: { id: { in: convIds } } }).catch(() => undefined);
    await db.user
      .deleteMany({ where: { id: { in: [watcherId, ...watchedIds] } } })
      .catch(() => undefined);
    await unlinkMatching(redis, `${PREFIX}*`).catch(() => undefined);
    await stores.close();
    await Promise.all(procs.map((p) => stopProc(p)));
  }

  const result = {
    benchmark: "presence",
    ...runInfo(startedAt, t0),
    finishedAt: new Date().toISOString(),
    settings: SETTINGS,
    redis: privateRedis
      ? `private redis-server ${privateRedis.version} started for the run (nothing else writes to it)`
      : "the shared Redis (REDIS_URL); other clients' writes count as Relay's",
    setup:
      "2 realtime processes (apps/realtime/dist, default presence timings) on one Redis; idle users alternate between them; one load process holds every socket; the heartbeat baseline is its own process on the same Redis",
    scale,
    latency,
    drain,
  };
  const file = writeResult("presence", result);
  const md = renderPresenceMarkdown(result, file);
  await writeDocSection(PRESENCE_SECTION, md);
  process.stdout.write(`\n${md}\n`);
  log(`results: bench/results/latest-presence.json; section "Presence" in docs/benchmarks.md`);
}

/** Until every node's connection sets hold `n` idle users (+ nothing else connected yet). */
async function waitRegistered(redis: Redis, n: number, timeoutMs = 60_000): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const instances = await redis.zrange(`${PREFIX}presence:instances`, 0, -1);
    let total = 0;
    for (const i of instances) total += await redis.scard(`${PREFIX}presence:conns:${i}`);
    if (total >= n) return total;
    if (performance.now() > until) throw new Error(`only ${total} of ${n} registered`);
    await sleep(100);
  }
}

// ------------------------------------------------------------------ report

const PRESENCE_SECTION = { name: "presence", by: "the presence benchmark", heading: "Presence" };

type TResult = TRunInfo & {
  settings: typeof SETTINGS;
  redis: string;
  scale: TScalePoint[];
  latency: Record<string, TLatencySummary>;
  drain: TDrain | null;
};

const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : String(round(v, 2)));

export function renderPresenceMarkdown(r: TResult, file: string): string {
  const t = r.settings.presenceTimings;
  const relayRates = r.scale.map((p) => p.relay.writesPerS);
  const expectedRelay = (2 * 2) / (t.leaseRefreshMs / 1000);
  const lines = [
    `${runLabel(r)}, ${r.durationS} s. Raw data: \`bench/results/${file}\`. Machine: ${r.machine.cpuModel} × ${r.machine.cpus}, ${r.machine.totalMemGiB} GiB, ${r.machine.os}, Node ${r.node}.`,
    "",
    `Setup: Redis: ${r.redis}. Two realtime processes (default presence timings: lease ${t.leaseTtlMs / 1000} s, renewed every ${t.leaseRefreshMs / 1000} s, reaper every ${t.reapIntervalMs / 1000} s) on one Redis; N idle users connected over WebSocket from one load process, alternating between the nodes. The baseline is the naive design — every user's presence key rewritten every ${r.settings.heartbeatIntervalS} s (\`SETEX\`, spread evenly) — run by its own process against the same Redis **in the same window**. Writes are \`INFO commandstats\` deltas of every command Redis flags \`write\` (commands inside Lua scripts included); the baseline's are its \`SETEX\` calls, Relay's are all the others.`,
    "",
    "#### Steady-state Redis writes with N idle connected users",
    "",
    "| connected users | window (s) | Relay writes/s | heartbeat baseline writes/s | baseline ÷ Relay | Relay writes in the window |",
    "| --- | --- | --- | --- | --- | --- |",
    ...r.scale.map(
      (p) =>
        `| ${p.connectedUsers.toLocaleString("en-US")} | ${p.windowS} | ${p.relay.writesPerS} | ${fmt(p.heartbeat.writesPerS)} (expected ${fmt(p.heartbeat.expectedPerS)}) | ${p.ratio === null ? "∞" : `${p.ratio.toLocaleString("en-US")}×`} | ${Object.entries(
          p.relay.byCommand,
        )
          .map(([c, n]) => `${c} ${n}`)
          .join(", ")} |`,
    ),
    "",
    `Relay's idle writes are the lease renewals only — \`SET\` + \`ZADD\` per node every ${t.leaseRefreshMs / 1000} s, ${expectedRelay} writes/s for two nodes — and stay at ${[...new Set(relayRates)].join(" / ")} writes/s whatever N is; the baseline grows linearly with N (N / ${r.settings.heartbeatIntervalS} s). Extrapolated to 100 M connected users on, say, 1,000 nodes: Relay ≈ ${fmt((1000 * 2) / (t.leaseRefreshMs / 1000))} writes/s, the heartbeat ≈ ${fmt(100e6 / r.settings.heartbeatIntervalS)} writes/s. Events still cost writes: connecting cost ${r.scale.map((p) => p.connectWritesPerConnection).join(" / ")} write commands per connection (connection-set entry, connection field, stored status; the \`PUBLISH\` to watchers is not a write).`,
    "",
    "#### Presence change latency to a watcher on the other node (ms)",
    "",
    `Measured with ${r.scale.at(-1)?.connectedUsers.toLocaleString("en-US") ?? "?"} idle users still connected; one change at a time; watcher on node 1 watching ${r.settings.watched} users on node 2.`,
    "",
    "| change | samples | p50 | p90 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- |",
    ...(
      [
        ["`presence:set` (online ↔ away) → watcher's `presence` event", "set"],
        ["socket closed → `offline` event", "offline"],
        ["new connection (incl. handshake) → `online` event", "online"],
      ] as const
    ).map(([label, k]) => {
      const s = r.latency[k];
      return s
        ? `| ${label} | ${s.count} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} |`
        : `| ${label} | – | – | – | – | – |`;
    }),
    "",
    r.drain
      ? `Graceful drain: SIGTERM to node 2 holding about ${r.drain.users.toLocaleString("en-US")} users → the watcher on node 1 had all ${r.settings.watched} of its watched users offline after ${r.drain.watchersSawOfflineMs ?? "–"} ms; the process exited (code ${r.drain.code}) after ${r.drain.exitMs} ms (closing every socket and store connection). A SIGKILLed node's users go offline after at most lease TTL + reaper period (${(t.leaseTtlMs + t.reapIntervalMs) / 1000} s with these timings; tested in apps/realtime/test/presence.integration.test.ts with short timings).`
      : "",
  ];
  return lines.join("\n");
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(
      `[presence-bench] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    for (const p of procs)
      if (p.out.length) process.stderr.write(`${p.name}:\n${p.out.join("\n")}\n`);
    await Promise.all(procs.map((p) => stopProc(p, "SIGKILL")));
    process.exit(1);
  },
);
