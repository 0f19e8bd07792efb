// Live ops for the admin console: scrape every live realtime node's /metrics
// (Prometheus text, prom-client) and /healthz, turn the raw counters into the
// figures an operator reads — sockets, events per second, send p99, event-loop
// lag, store health — per node and across the cluster. Events/s is the rate
// since the previous scrape of the same node; the send p99 is over the sends
// of the last minute (the bucket counts now minus those of the oldest scrape
// within the window), so the collector keeps each node's recent scrapes in
// memory. The push queue's figures (depth, failures, dead letters, the oldest
// waiting job's age) are read from Redis with every snapshot.
import type { TPushQueueStats } from "../push/queue";
import type { TRealtimeNode } from "./node-registry";

// ------------------------------------------------------------ Prometheus text

export interface TPromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;

function parseValue(raw: string): number {
  if (raw === "+Inf" || raw === "Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  if (raw === "NaN") return Number.NaN;
  const n = Number(raw);
  if (Number.isNaN(n)) throw new Error(`not a number: ${raw}`);
  return n;
}

/** `{a="x",b="y\"z"}` → {a: "x", b: 'y"z'} (escapes: \\ \" \n). */
function parseLabels(block: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1; // after "{"
  const end = block.length - 1; // the "}"
  while (i < end) {
    while (i < end && (block[i] === "," || block[i] === " ")) i++;
    if (i >= end) break;
    const eq = block.indexOf("=", i);
    if (eq < 0 || block[eq + 1] !== '"') throw new Error("malformed label");
    const name = block.slice(i, eq).trim();
    let value = "";
    let j = eq + 2;
    for (; j < end; j++) {
      const c = block[j];
      if (c === "\\") {
        const next = block[++j];
        value += next === "n" ? "\n" : (next ?? "");
      } else if (c === '"') break;
      else value += c;
    }
    if (block[j] !== '"') throw new Error("unterminated label value");
    labels[name] = value;
    i = j + 1;
  }
  return labels;
}

/**
 * The samples of a Prometheus text exposition (format 0.0.4). Comments and
 * blank lines are skipped; a malformed line is skipped too (one bad metric
 * must not hide the others).
 */
export function parsePrometheusText(text: string): TPromSample[] {
  const out: TPromSample[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#")) continue;
    const m = SAMPLE_LINE.exec(line);
    if (!m) continue;
    try {
      out.push({
        name: m[1]!,
        labels: m[2] ? parseLabels(m[2]) : {},
        value: parseValue(m[3]!),
      });
    } catch {
      /* skip the malformed sample */
    }
  }
  return out;
}

// ---------------------------------------------------------------- histograms

/** One cumulative bucket: observations ≤ `le` (the last one is +Inf). */
export interface TBucket {
  le: number;
  count: number;
}

/** Cumulative buckets of one histogram series, sorted by `le`. */
export function histogramBuckets(
  samples: readonly TPromSample[],
  name: string,
  match: Record<string, string> = {},
): TBucket[] {
  const byLe = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    if (!Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
    const le = parseValue(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** Bucket counts of `cur` minus `prev` (observations between two scrapes); null after a reset. */
export function bucketDelta(
  cur: readonly TBucket[],
  prev: readonly TBucket[] | undefined,
): TBucket[] | null {
  if (!prev) return [...cur];
  const before = new Map(prev.map((b) => [b.le, b.count]));
  const out: TBucket[] = [];
  for (const b of cur) {
    const d = b.count - (before.get(b.le) ?? 0);
    if (d < 0) return null;
    out.push({ le: b.le, count: d });
  }
  return out;
}

/** Sums bucket lists with the same bounds (several nodes → one cluster histogram). */
export function mergeBuckets(lists: ReadonlyArray<readonly TBucket[]>): TBucket[] {
  const byLe = new Map<number, number>();
  for (const list of lists) for (const b of list) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
  return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/**
 * The q-quantile of a cumulative histogram, as Prometheus' histogram_quantile
 * computes it: linear interpolation inside the bucket holding the rank; a rank
 * in the +Inf bucket answers the largest finite bound. null when empty.
 */
export function histogramQuantile(q: number, buckets: readonly TBucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Number.POSITIVE_INFINITY) {
        const finite = sorted.filter((x) => Number.isFinite(x.le)).at(-1);
        return finite ? finite.le : null;
      }
      const inBucket = b.count - prevCount;
      if (inBucket <= 0) return b.le;
      return prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = Number.isFinite(b.le) ? b.le : prevLe;
    prevCount = b.count;
  }
  return prevLe;
}

// ------------------------------------------------------------- node metrics

/** The figures of one scrape of a realtime node's /metrics. */
export interface TNodeMetrics {
  /** relay_connected_sockets */
  sockets: number | null;
  /** relay_online_users: distinct users with a socket on the node */
  onlineUsers: number | null;
  /** Sum of relay_socket_events_total over every event and outcome (0 before the first event: a labelled counter has no samples yet). */
  eventsTotal: number;
  /** relay_socket_event_duration_seconds{event="message:send"} buckets. */
  sendBuckets: TBucket[];
  /** relay_realtime_nodejs_eventloop_lag_p99_seconds */
  eventLoopLagP99Seconds: number | null;
}

export const SEND_EVENT = "message:send";

function single(samples: readonly TPromSample[], name: string): number | null {
  const s = samples.find((x) => x.name === name);
  return s && Number.isFinite(s.value) ? s.value : null;
}

export function readNodeMetrics(samples: readonly TPromSample[]): TNodeMetrics {
  const events = samples.filter((s) => s.name === "relay_socket_events_total");
  return {
    sockets: single(samples, "relay_connected_sockets"),
    onlineUsers: single(samples, "relay_online_users"),
    eventsTotal: events.reduce((sum, s) => sum + s.value, 0),
    sendBuckets: histogramBuckets(samples, "relay_socket_event_duration_seconds", {
      event: SEND_EVENT,
    }),
    eventLoopLagP99Seconds: single(samples, "relay_realtime_nodejs_eventloop_lag_p99_seconds"),
  };
}

// ------------------------------------------------------------- the snapshot

export interface TDependencyState {
  status: "up" | "down";
  latencyMs: number;
  error?: string;
}

export interface TNodeStats {
  nodeId: string;
  url: string;
  startedAt: string;
  /** false when /metrics could not be read (the node is listed but not answering). */
  reachable: boolean;
  error: string | null;
  sockets: number | null;
  /** Distinct users connected to this node. */
  onlineUsers: number | null;
  /** Client events handled per second since the previous scrape (null on the first one). */
  eventsPerSecond: number | null;
  /** p99 of message:send (receive → ack) over the last `sendWindowSeconds`, in ms; null without sends. */
  sendP99Ms: number | null;
  /** How many sends that p99 is computed from. */
  sendCount: number;
  /** The span the p99 covers (up to SEND_P99_WINDOW_MS; null on a node's first scrape). */
  sendWindowSeconds: number | null;
  eventLoopLagP99Ms: number | null;
  /** From /healthz: "ok", "degraded" (a store down), or "unknown" when it did not answer. */
  health: "ok" | "degraded" | "unknown";
  dependencies: Record<string, TDependencyState>;
}

/** The push queue in a snapshot, or why it could not be read (Redis down, push disabled here). */
export type TOpsPushQueue =
  | (TPushQueueStats & {
      available: true;
      /** Jobs not finished yet: waiting + active + delayed (retries in backoff). */
      depth: number;
    })
  | { available: false; error: string };

export interface TOpsSnapshot {
  at: string;
  nodes: TNodeStats[];
  totals: {
    nodes: number;
    reachable: number;
    sockets: number;
    /** Sum over nodes: a user connected to two nodes counts twice. */
    onlineUsers: number;
    eventsPerSecond: number | null;
    /** p99 of every node's sends together (their histograms merged). */
    sendP99Ms: number | null;
    sendCount: number;
    sendWindowSeconds: number | null;
    /** The worst node's. */
    eventLoopLagP99Ms: number | null;
    /** "ok" when every reachable node reports every store up. */
    health: "ok" | "degraded" | "unknown";
    /** The push queue (shared by every worker), or why it could not be read. */
    push: TOpsPushQueue;
  };
}

interface TPreviousScrape {
  atMs: number;
  startedAt: string;
  metrics: TNodeMetrics;
}

/** The send p99 covers the sends of the last minute. */
export const SEND_P99_WINDOW_MS = 60_000;

const round = (n: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/**
 * One node's figures from its current scrape and its earlier ones (oldest
 * first): events/s against the latest of them, the send p99 against the
 * oldest within SEND_P99_WINDOW_MS. Scrapes of an earlier run of the node
 * (another startedAt: counters restarted from zero) are ignored.
 */
export function nodeStatsFrom(
  node: TRealtimeNode,
  cur: { atMs: number; metrics: TNodeMetrics },
  earlier: readonly TPreviousScrape[],
  health: { status: TNodeStats["health"]; dependencies: Record<string, TDependencyState> },
): TNodeStats & { window: TBucket[] } {
  const sameRun = earlier.filter((e) => e.startedAt === node.startedAt && e.atMs < cur.atMs);
  const prev = sameRun.at(-1);
  const base = sameRun.find((e) => cur.atMs - e.atMs <= SEND_P99_WINDOW_MS);
  let eventsPerSecond: number | null = null;
  if (prev) {
    const d = cur.metrics.eventsTotal - prev.metrics.eventsTotal;
    eventsPerSecond = d >= 0 ? round(d / ((cur.atMs - prev.atMs) / 1000)) : null;
  }
  // No window on the first scrape (the counts since the node started are no "now").
  const window = base ? (bucketDelta(cur.metrics.sendBuckets, base.metrics.sendBuckets) ?? []) : [];
  const p99 = histogramQuantile(0.99, window);
  const lag = cur.metrics.eventLoopLagP99Seconds;
  return {
    nodeId: node.nodeId,
    url: node.url,
    startedAt: node.startedAt,
    reachable: true,
    error: null,
    sockets: cur.metrics.sockets,
    onlineUsers: cur.metrics.onlineUsers,
    eventsPerSecond,
    sendP99Ms: p99 === null ? null : round(p99 * 1000),
    sendCount: window.at(-1)?.count ?? 0,
    sendWindowSeconds: base ? Math.round((cur.atMs - base.atMs) / 1000) : null,
    eventLoopLagP99Ms: lag === null ? null : round(lag * 1000),
    health: health.status,
    dependencies: health.dependencies,
    window,
  };
}

/** The push queue's figures for a snapshot. */
export function pushQueueFigures(stats: TPushQueueStats): TOpsPushQueue {
  return { available: true, ...stats, depth: stats.waiting + stats.active + stats.delayed };
}

/** Totals across nodes. */
export function totalsOf(
  nodes: ReadonlyArray<TNodeStats & { window?: TBucket[] }>,
): Omit<TOpsSnapshot["totals"], "push"> {
  const live = nodes.filter((n) => n.reachable);
  const rates = live.map((n) => n.eventsPerSecond).filter((r): r is number => r !== null);
  const merged = mergeBuckets(live.map((n) => n.window ?? []));
  const p99 = histogramQuantile(0.99, merged);
  const lags = live.map((n) => n.eventLoopLagP99Ms).filter((l): l is number => l !== null);
  const healths = live.map((n) => n.health);
  return {
    nodes: nodes.length,
    reachable: live.length,
    sockets: live.reduce((sum, n) => sum + (n.sockets ?? 0), 0),
    onlineUsers: live.reduce((sum, n) => sum + (n.onlineUsers ?? 0), 0),
    eventsPerSecond: rates.length ? round(rates.reduce((a, b) => a + b, 0)) : null,
    sendP99Ms: p99 === null ? null : round(p99 * 1000),
    sendCount: merged.at(-1)?.count ?? 0,
    sendWindowSeconds: live.reduce<number | null>(
      (max, n) => (n.sendWindowSeconds === null ? max : Math.max(max ?? 0, n.sendWindowSeconds)),
      null,
    ),
    eventLoopLagP99Ms: lags.length ? Math.max(...lags) : null,
    health:
      live.length === 0 || healths.includes("unknown")
        ? "unknown"
        : healths.every((h) => h === "ok") && live.length === nodes.length
          ? "ok"
          : "degraded",
  };
}

// ------------------------------------------------------------- the collector

export interface NodeStatsCollectorDeps {
  /** The live nodes (listRealtimeNodes). */
  listNodes: () => Promise<TRealtimeNode[]>;
  /** The push queue's stats (pushQueueStats); without it, totals.push says it is not configured. */
  pushStats?: () => Promise<TPushQueueStats>;
  fetch?: typeof fetch;
  /** Per request (and for the push queue's stats). */
  timeoutMs?: number;
  now?: () => number;
  /** Snapshots younger than this are shared by concurrent callers (several open consoles). */
  minIntervalMs?: number;
}

export interface NodeStatsCollector {
  collect(): Promise<TOpsSnapshot>;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 200);
  return "unknown error";
}

async function fetchText(
  f: typeof fetch,
  url: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const res = await f(url, { signal: AbortSignal.timeout(timeoutMs), cache: "no-store" });
  return { status: res.status, text: await res.text() };
}

/** The push queue's figures, or why not (never throws: one store must not hide the nodes). */
async function readPushQueue(
  deps: NodeStatsCollectorDeps,
  timeoutMs: number,
): Promise<TOpsPushQueue> {
  if (!deps.pushStats) return { available: false, error: "push queue not configured" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return pushQueueFigures(await Promise.race([deps.pushStats(), timeout]));
  } catch (err) {
    return { available: false, error: errorText(err) };
  } finally {
    clearTimeout(timer);
  }
}

function healthFrom(raw: { status: number; text: string } | null): {
  status: TNodeStats["health"];
  dependencies: Record<string, TDependencyState>;
} {
  if (!raw) return { status: "unknown", dependencies: {} };
  try {
    const body = JSON.parse(raw.text) as {
      status?: unknown;
      dependencies?: Record<string, TDependencyState>;
    };
    const dependencies = body.dependencies ?? {};
    const status =
      body.status === "ok" ? "ok" : body.status === "degraded" ? "degraded" : "unknown";
    return { status, dependencies };
  } catch {
    return { status: "unknown", dependencies: {} };
  }
}

/**
 * Scrapes every live node in parallel (each with a time limit, so one stuck
 * node never holds the page) and remembers each node's scrape for the next
 * rates. Nodes that left the registry are forgotten.
 */
export function createNodeStatsCollector(deps: NodeStatsCollectorDeps): NodeStatsCollector {
  const f = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 1_500;
  const now = deps.now ?? Date.now;
  const minIntervalMs = deps.minIntervalMs ?? 500;
  /** Each node's scrapes of the last SEND_P99_WINDOW_MS, oldest first. */
  const history = new Map<string, TPreviousScrape[]>();
  let last: { atMs: number; snapshot: Promise<TOpsSnapshot> } | undefined;

  async function scrapeAll(): Promise<TOpsSnapshot> {
    const push = readPushQueue(deps, timeoutMs);
    const nodes = await deps.listNodes();
    const stats = await Promise.all(
      nodes.map(async (node): Promise<TNodeStats & { window?: TBucket[] }> => {
        const base = node.url.replace(/\/+$/, "");
        const [metrics, health] = await Promise.allSettled([
          fetchText(f, `${base}/metrics`, timeoutMs),
          fetchText(f, `${base}/healthz`, timeoutMs),
        ]);
        const atMs = now();
        const h = healthFrom(health.status === "fulfilled" ? health.value : null);
        if (metrics.status === "rejected" || metrics.value.status !== 200) {
          history.delete(node.nodeId);
          return {
            nodeId: node.nodeId,
            url: node.url,
            startedAt: node.startedAt,
            reachable: false,
            error:
              metrics.status === "rejected"
                ? errorText(metrics.reason)
                : `/metrics answered ${metrics.value.status}`,
            sockets: null,
            onlineUsers: null,
            eventsPerSecond: null,
            sendP99Ms: null,
            sendCount: 0,
            sendWindowSeconds: null,
            eventLoopLagP99Ms: null,
            health: h.status,
            dependencies: h.dependencies,
          };
        }
        const parsed = readNodeMetrics(parsePrometheusText(metrics.value.text));
        const earlier = (history.get(node.nodeId) ?? []).filter(
          (e) => e.startedAt === node.startedAt,
        );
        const result = nodeStatsFrom(node, { atMs, metrics: parsed }, earlier, h);
        // Keep the window's scrapes (and always the latest, for the next rate).
        history.set(node.nodeId, [
          ...earlier.filter((e) => atMs - e.atMs <= SEND_P99_WINDOW_MS),
          { atMs, startedAt: node.startedAt, metrics: parsed },
        ]);
        return result;
      }),
    );
    const live = new Set(nodes.map((n) => n.nodeId));
    for (const id of history.keys()) if (!live.has(id)) history.delete(id);
    return {
      at: new Date(now()).toISOString(),
      nodes: stats.map(({ window: _w, ...n }) => n),
      totals: { ...totalsOf(stats), push: await push },
    };
  }

  return {
    collect() {
      const t = now();
      if (last && t - last.atMs < minIntervalMs) return last.snapshot;
      const snapshot = scrapeAll();
      last = { atMs: t, snapshot };
      snapshot.catch(() => {
        if (last?.snapshot === snapshot) last = undefined;
      });
      return snapshot;
    },
  };
}
