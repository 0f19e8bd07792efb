// CPU accounting from /proc (Linux): machine-wide busy time and the CPU time
// of the processes the benchmark cares about, so a step's result says whether
// the machine (2 cores here) or a single process was the limit.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every mainstream Linux

export interface TCpuSnapshot {
  at: number;
  machineBusyTicks: number;
  machineTotalTicks: number;
  /** hardware + software interrupt time (loopback networking lands here) */
  machineIrqTicks: number;
  /** pid → its group and CPU ticks (user + system) */
  procs: Map<number, { group: string; ticks: number }>;
  /** pid → name and ticks of every other process (to name the "other" work) */
  others: Map<number, { comm: string; ticks: number }>;
  groupNames: string[];
  self: NodeJS.CpuUsage;
}

export interface TCpuUsage {
  /** Busy share of the whole machine, percent of all cores. */
  machineBusyPct: number;
  cores: number;
  /** group → percent of one core */
  processesPct: Record<string, number>;
  /** The busiest processes outside the groups (name → percent of one core), top 5. */
  otherTop?: Record<string, number>;
}

function readMachine(): { busy: number; total: number; irq: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total, irq: (f[5] ?? 0) + (f[6] ?? 0) };
  } catch {
    return { busy: 0, total: 0, irq: 0 };
  }
}

function readTicks(pid: number): { comm: string; ticks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = s.lastIndexOf(")");
    const comm = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    return { comm, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** The pid listening on TCP `port` (from /proc/net/tcp{,6} and the fds of `comm` processes), or null. */
export function pidListeningOn(port: number, comm: string): number | null {
  const inodes = new Set<string>();
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      for (const line of readFileSync(f, "utf8").split("\n").slice(1)) {
        const c = line.trim().split(/\s+/);
        const local = c[1] ?? "";
        if (c[3] === "0A" && parseInt(local.slice(local.lastIndexOf(":") + 1), 16) === port)
          inodes.add(c[9] ?? "");
      }
    } catch {
      /* not Linux */
    }
  }
  if (inodes.size === 0) return null;
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    if (readTicks(Number(d))?.comm !== comm) continue;
    try {
      for (const fd of readdirSync(`/proc/${d}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${d}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(d);
      }
    } catch {
      /* gone, or not ours to read */
    }
  }
  return null;
}

/** Cassandra's native-protocol port (CASSANDRA_CONTACT_POINTS, first host) and Redis's (REDIS_URL). */
function storePorts(): { cassandra: number; redis: number } {
  const first = (process.env.CASSANDRA_CONTACT_POINTS ?? "").split(",")[0] ?? "";
  const c = Number(first.split(":")[1]);
  let r = 6379;
  try {
    r = Number(new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379").port || 6379);
  } catch {
    /* default */
  }
  return { cassandra: Number.isInteger(c) && c > 0 ? c : 9042, redis: r };
}

/**
 * Groups: the named pids given (realtime nodes, baseline server), and by
 * process name the stores: the Cassandra JVM and the redis-server listening on
 * the test profile's ports (any other JVM or redis-server — a test's private
 * Cassandra or Redis — counts as "other"), postgres.
 */
export function createCpuSampler(named: Record<string, number>) {
  const ports = storePorts();
  // The stores this benchmark uses; another JVM or redis-server on the box is "other".
  const storePid: Record<string, number | null> = {
    java: pidListeningOn(ports.cassandra, "java"),
    "redis-server": pidListeningOn(ports.redis, "redis-server"),
  };
  const byComm: Record<string, string> = {
    java: "cassandra (java)",
    "redis-server": "redis",
    postgres: "postgres",
  };
  const namedPids = new Map(Object.entries(named).map(([k, v]) => [v, k]));
  return {
    sample(): TCpuSnapshot {
      const m = readMachine();
      const procs = new Map<number, { group: string; ticks: number }>();
      const others = new Map<number, { comm: string; ticks: number }>();
      let pids: string[] = [];
      try {
        pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
      } catch {
        /* not Linux */
      }
      for (const d of pids) {
        const pid = Number(d);
        const t = readTicks(pid);
        if (!t) continue;
        const only = storePid[t.comm];
        const group =
          namedPids.get(pid) ?? (only != null && pid !== only ? undefined : byComm[t.comm]);
        if (group) procs.set(pid, { group, ticks: t.ticks });
        else if (pid !== process.pid) others.set(pid, { comm: t.comm, ticks: t.ticks });
      }
      return {
        at: performance.now(),
        machineBusyTicks: m.busy,
        machineTotalTicks: m.total,
        machineIrqTicks: m.irq,
        procs,
        others,
        groupNames: [...Object.keys(named), ...Object.values(byComm)],
        self: process.cpuUsage(),
      };
    },
    diff(a: TCpuSnapshot, b: TCpuSnapshot, cores: number): TCpuUsage {
      const wallS = (b.at - a.at) / 1000;
      const pct = (ticks: number) =>
        wallS > 0 ? Math.round((ticks / TICKS_PER_SECOND / wallS) * 1000) / 10 : 0;
      const processesPct: Record<string, number> = {};
      // Per process, so restarts and short-lived processes (Postgres backends)
      // count right: a pid new since `a` counts whole, one gone since `a` is lost.
      const ticks: Record<string, number> = {};
      for (const g of b.groupNames) ticks[g] = 0;
      for (const [pid, p] of b.procs) {
        const before = a.procs.get(pid);
        const d = before && before.group === p.group ? p.ticks - before.ticks : p.ticks;
        ticks[p.group] = (ticks[p.group] ?? 0) + Math.max(0, d);
      }
      for (const [k, v] of Object.entries(ticks)) processesPct[k] = pct(v);
      const selfUs = b.self.user - a.self.user + (b.self.system - a.self.system);
      processesPct["load generator"] =
        wallS > 0 ? Math.round((selfUs / 1e6 / wallS) * 1000) / 10 : 0;
      const total = b.machineTotalTicks - a.machineTotalTicks;
      const machineBusyPct =
        total > 0 ? Math.round(((b.machineBusyTicks - a.machineBusyTicks) / total) * 1000) / 10 : 0;
      processesPct["kernel irq"] = pct(Math.max(0, b.machineIrqTicks - a.machineIrqTicks));
      // Everything else on the machine (other work on the box, this script's parent).
      const known = Object.values(processesPct).reduce((x, y) => x + y, 0);
      processesPct.other = Math.max(0, Math.round((machineBusyPct * cores - known) * 10) / 10);
      const byComm = new Map<string, number>();
      for (const [pid, p] of b.others) {
        const before = a.others.get(pid);
        const d = before ? p.ticks - before.ticks : p.ticks;
        if (d > 0) byComm.set(p.comm, (byComm.get(p.comm) ?? 0) + d);
      }
      const otherTop = Object.fromEntries(
        [...byComm]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 5)
          .filter(([, d]) => pct(d) >= 1)
          .map(([c, d]) => [c, pct(d)]),
      );
      return { machineBusyPct, cores, processesPct, otherTop };
    },
  };
}
