// Server processes for the scenario benchmarks (bench/connections.ts,
// fanout.ts, reconnect.ts): Relay nodes from the built apps/realtime/dist and
// the raw Socket.IO baseline, each its own process on a free 127.0.0.1 port,
// optionally with the inspector on (CPU profile / memory after GC) and the
// soft fd limit raised to the hard one. Every process started here is
// stopped by `stopAll()` (by pid), also when a benchmark fails.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { inspectorUrlIn } from "./inspector";
import { ROOT } from "./results";

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  /** The internal port (Relay: /metrics), when there is one. */
  metricsUrl?: string;
  out: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const procs: Proc[] = [];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** This shell's open-files limits (soft, hard); a child can raise its soft limit up to hard. */
export function fdLimits(): { soft: number; hard: number } {
  const r = spawnSync("sh", ["-c", "ulimit -Sn; ulimit -Hn"], { encoding: "utf8" });
  const [soft, hard] = r.stdout
    .trim()
    .split("\n")
    .map((v) => (v === "unlimited" ? 1_048_576 : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? soft ?? 1024 };
}

/**
 * Starts `node <args>` through `sh -c 'ulimit -n <hard>; exec node …'` so the
 * process may open as many files (sockets) as the machine lets it.
 */
export function startNode(
  name: string,
  args: string[],
  env: Record<string, string | undefined>,
  opts: { url: string; metricsUrl?: string; cwd?: string } = { url: "" },
): Proc {
  const { hard } = fdLimits();
  const quoted = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`);
  const child = spawn("sh", ["-c", `ulimit -n ${hard} 2>/dev/null; exec ${quoted.join(" ")}`], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  for (const s of [child.stdout, child.stderr])
    s.on("data", (b: Buffer) => {
      for (const line of b.toString().split("\n").filter(Boolean)) {
        out.push(line);
        if (out.length > 80) out.shift();
      }
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const p: Proc = {
    name,
    child,
    pid: child.pid ?? 0,
    url: opts.url,
    ...(opts.metricsUrl ? { metricsUrl: opts.metricsUrl } : {}),
    out,
    exited,
  };
  procs.push(p);
  return p;
}

export async function waitHealthy(p: Proc, timeoutMs = 45_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null || p.child.signalCode !== null)
      throw new Error(`${p.name} exited during start-up:\n${p.out.join("\n")}`);
    try {
      const res = await fetch(`${p.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (performance.now() > until)
      throw new Error(`${p.name} not healthy after ${timeoutMs / 1000} s:\n${p.out.join("\n")}`);
    await sleep(200);
  }
}

/** The inspector URL a process started with --inspect printed (waits for it). */
export async function inspectorUrl(p: Proc, timeoutMs = 15_000): Promise<string> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const url = inspectorUrlIn(p.out);
    if (url) return url;
    if (performance.now() > until) throw new Error(`${p.name}: no inspector URL`);
    await sleep(50);
  }
}

export interface RelayNodeOptions {
  n: number;
  redisPrefix: string;
  inspect?: boolean;
  env?: Record<string, string>;
  /** Bench-only: a listen backlog instead of Node's 511 (bench/listen-backlog.mjs). */
  listenBacklog?: number;
}

/** A Relay node (apps/realtime/dist) on free ports; resolves once /healthz answers. */
export async function startRelayNode(o: RelayNodeOptions): Promise<Proc> {
  const entry = path.join(ROOT, "apps/realtime/dist/index.js");
  if (!existsSync(entry)) throw new Error("apps/realtime/dist is missing: build it first");
  const [port, metricsPort] = [await freePort(), await freePort()];
  const p = startNode(
    `relay-${o.n}`,
    [
      ...(o.inspect ? ["--inspect=127.0.0.1:0"] : []),
      ...(o.listenBacklog ? ["--import", path.join(ROOT, "bench/listen-backlog.mjs")] : []),
      entry,
    ],
    {
      REALTIME_PORT: String(port),
      REALTIME_METRICS_PORT: String(metricsPort),
      REDIS_PREFIX: o.redisPrefix,
      NODE_ID: `bench-${o.redisPrefix.replace(/[^A-Za-z0-9]/g, "")}-${o.n}`,
      LOG_LEVEL: "warn",
      // Every bench client connects from loopback: no per-IP handshake limit.
      REALTIME_HANDSHAKE_LIMIT: "1000000000",
      ...(o.listenBacklog ? { BENCH_LISTEN_BACKLOG: String(o.listenBacklog) } : {}),
      ...o.env,
    },
    {
      url: `http://127.0.0.1:${port}`,
      metricsUrl: `http://127.0.0.1:${metricsPort}`,
      cwd: path.join(ROOT, "apps/realtime"),
    },
  );
  await waitHealthy(p);
  return p;
}

/** The raw Socket.IO baseline (bench/baseline-server.mjs). */
export async function startBaseline(
  name: string,
  store: "none" | "cassandra",
  inspect = false,
): Promise<Proc> {
  const port = await freePort();
  const p = startNode(
    name,
    [...(inspect ? ["--inspect=127.0.0.1:0"] : []), path.join(ROOT, "bench/baseline-server.mjs")],
    { BENCH_BASELINE_PORT: String(port), BENCH_BASELINE_STORE: store },
    { url: `http://127.0.0.1:${port}` },
  );
  await waitHealthy(p);
  return p;
}

/** SIGTERM (or `signal`), then SIGKILL after `graceMs`. */
export async function stopProc(p: Proc, signal: NodeJS.Signals = "SIGTERM", graceMs = 12_000) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
  const r = await p.exited;
  clearTimeout(timer);
  return r;
}

/** Every worker and server process started here. */
export async function stopAll(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  await stopWorkers();
  await Promise.all(procs.map((p) => stopProc(p, signal)));
}

/** A Prometheus gauge/counter's value from a Relay node's /metrics, or null. */
export async function metricValue(p: Proc, name: string): Promise<number | null> {
  try {
    const res = await fetch(`${p.metricsUrl ?? p.url}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM of a pid from /proc (bytes), or null off Linux. */
export function procMemory(pid: number): { rss: number; peakRss: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") * 1024, peakRss: kb("VmHWM") * 1024 };
}

export const log = (tag: string) => (msg: string) => process.stdout.write(`[${tag}] ${msg}\n`);

/** A bench client process (bench/socket-clients.ts, reconnect-clients.ts) with an IPC channel. */
export interface Worker {
  name: string;
  pid: number;
  /** Sends `msg` and resolves with the next message of type `reply`. */
  request<T = Record<string, unknown>>(
    msg: Record<string, unknown>,
    reply: string,
    timeoutMs?: number,
  ): Promise<T>;
  /** Every message of `type` the worker sends (besides replies). */
  on(type: string, fn: (m: Record<string, unknown>) => void): void;
  stop(): Promise<void>;
}

const workers: Worker[] = [];

/**
 * `node --import tsx <script>` with an IPC channel, its soft fd limit raised to
 * the hard one (through sh; the channel's fd survives the exec); resolves
 * once the worker says {type: "ready"}.
 */
export async function startWorker(
  name: string,
  script: string,
  env: Record<string, string> = {},
): Promise<Worker> {
  const { hard } = fdLimits();
  const child = spawn(
    "sh",
    ["-c", `ulimit -n ${hard} 2>/dev/null; exec '${process.execPath}' --import tsx '${script}'`],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const listeners = new Map<string, Array<(m: Record<string, unknown>) => void>>();
  child.on("message", (m: Record<string, unknown>) => {
    for (const fn of listeners.get(String(m.type)) ?? []) fn(m);
  });
  const once = <T>(type: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${name}: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const fn = (m: Record<string, unknown>) => {
        clearTimeout(timer);
        off();
        resolve(m as T);
      };
      const off = () =>
        listeners.set(
          type,
          (listeners.get(type) ?? []).filter((f) => f !== fn),
        );
      listeners.set(type, [...(listeners.get(type) ?? []), fn]);
      void exited.then(() => {
        clearTimeout(timer);
        reject(
          new Error(
            `${name} exited (${child.exitCode ?? child.signalCode}) while waiting for "${type}"`,
          ),
        );
      });
    });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const w: Worker = {
    name,
    pid: child.pid ?? 0,
    request: (msg, reply, timeoutMs = 120_000) => {
      const p = once<never>(reply, timeoutMs);
      child.send(msg);
      return p;
    },
    on: (type, fn) => listeners.set(type, [...(listeners.get(type) ?? []), fn]),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: "close" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  await once("ready", 60_000);
  workers.push(w);
  return w;
}

export async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
}

/**
 * The kernel's TcpExt counters of connections refused at a full accept queue
 * (ListenOverflows, ListenDrops; /proc/net/netstat, machine-wide), or null
 * off Linux. A client whose SYN was dropped retries after 1 s, 3 s, 7 s, …
 */
export function listenDrops(): { overflows: number; drops: number } | null {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const i = lines.findIndex((l) => l.startsWith("TcpExt:"));
    const head = lines[i]!.split(/\s+/);
    const vals = lines[i + 1]!.split(/\s+/);
    const get = (k: string) => Number(vals[head.indexOf(k)] ?? 0);
    return { overflows: get("ListenOverflows"), drops: get("ListenDrops") };
  } catch {
    return null;
  }
}
