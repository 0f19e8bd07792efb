import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { TRealtimeNode } from "./node-registry";
import {
  bucketDelta,
  createNodeStatsCollector,
  histogramBuckets,
  histogramQuantile,
  mergeBuckets,
  parsePrometheusText,
  pushQueueFigures,
  readNodeMetrics,
} from "./node-stats";

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** /metrics as a realtime node's prom-client registry writes it. */
function exposition(opts: {
  sockets: number;
  onlineUsers?: number;
  sends: number;
  typing?: number;
  /** Observed send durations, in seconds. */
  sendDurations: number[];
  lagP99?: number;
}): string {
  const bucketLines = (event: string, durations: number[]) => [
    ...BOUNDS.map(
      (le) =>
        `relay_socket_event_duration_seconds_bucket{le="${le}",event="${event}"} ${durations.filter((d) => d <= le).length}`,
    ),
    `relay_socket_event_duration_seconds_bucket{le="+Inf",event="${event}"} ${durations.length}`,
    `relay_socket_event_duration_seconds_sum{event="${event}"} ${durations.reduce((a, b) => a + b, 0)}`,
    `relay_socket_event_duration_seconds_count{event="${event}"} ${durations.length}`,
  ];
  return [
    "# HELP relay_realtime_nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.",
    "# TYPE relay_realtime_nodejs_eventloop_lag_p99_seconds gauge",
    `relay_realtime_nodejs_eventloop_lag_p99_seconds ${opts.lagP99 ?? 0.011870207}`,
    "# HELP relay_connected_sockets Socket.IO connections open on this node",
    "# TYPE relay_connected_sockets gauge",
    `relay_connected_sockets ${opts.sockets}`,
    "# HELP relay_online_users Distinct users with at least one socket on this node",
    "# TYPE relay_online_users gauge",
    `relay_online_users ${opts.onlineUsers ?? opts.sockets}`,
    "# HELP relay_socket_events_total Client events handled, by event and outcome code",
    "# TYPE relay_socket_events_total counter",
    `relay_socket_events_total{event="message:send",code="ok"} ${opts.sends}`,
    `relay_socket_events_total{event="typing:start",code="ok"} ${opts.typing ?? 0}`,
    "# HELP relay_socket_event_duration_seconds Time from receiving a client event to its ack",
    "# TYPE relay_socket_event_duration_seconds histogram",
    ...bucketLines("message:send", opts.sendDurations),
    ...bucketLines("typing:start", [0.5]),
    "",
  ].join("\n");
}

describe("parsePrometheusText", () => {
  it("reads names, labels and values and skips comments", () => {
    const samples = parsePrometheusText(
      exposition({ sockets: 3, sends: 5, typing: 2, sendDurations: [0.004] }),
    );
    expect(samples.find((s) => s.name === "relay_connected_sockets")).toEqual({
      name: "relay_connected_sockets",
      labels: {},
      value: 3,
    });
    expect(samples.filter((s) => s.name === "relay_socket_events_total")).toEqual([
      {
        name: "relay_socket_events_total",
        labels: { event: "message:send", code: "ok" },
        value: 5,
      },
      {
        name: "relay_socket_events_total",
        labels: { event: "typing:start", code: "ok" },
        value: 2,
      },
    ]);
    expect(samples.some((s) => s.name.startsWith("#"))).toBe(false);
  });

  it("handles escapes, special values, timestamps and skips malformed lines", () => {
    const samples = parsePrometheusText(
      [
        'm{path="/a\\"b",nl="x\\ny",bs="c\\\\d"} 1.5 1700000000000',
        "inf_metric +Inf",
        "nan_metric NaN",
        "neg -2e-3",
        "broken{ 1",
        "also broken",
        'bad_value{a="b"} twelve',
      ].join("\n"),
    );
    expect(samples).toEqual([
      { name: "m", labels: { path: '/a"b', nl: "x\ny", bs: "c\\d" }, value: 1.5 },
      { name: "inf_metric", labels: {}, value: Number.POSITIVE_INFINITY },
      { name: "nan_metric", labels: {}, value: Number.NaN },
      { name: "neg", labels: {}, value: -0.002 },
    ]);
  });
});

describe("histograms", () => {
  const buckets = (durations: number[]) =>
    histogramBuckets(
      parsePrometheusText(exposition({ sockets: 0, sends: 0, sendDurations: durations })),
      "relay_socket_event_duration_seconds",
      { event: "message:send" },
    );

  it("picks one series' cumulative buckets, sorted, with +Inf last", () => {
    const b = buckets([0.004, 0.02, 0.3]);
    expect(b).toHaveLength(12);
    expect(b.at(-1)).toEqual({ le: Number.POSITIVE_INFINITY, count: 3 });
    expect(b.find((x) => x.le === 0.005)?.count).toBe(1);
  });

  it("computes quantiles like Prometheus' histogram_quantile", () => {
    // 100 observations: 98 fast (≤ 5 ms), 2 between 50 and 100 ms.
    const b = buckets([...Array<number>(98).fill(0.004), 0.07, 0.08]);
    // rank 99 falls in (0.05, 0.1] which holds 2 → 0.05 + 0.05 * (99-98)/2
    expect(histogramQuantile(0.99, b)).toBeCloseTo(0.075, 6);
    // rank 50 in (0.0025, 0.005] holding 98 → 0.0025 + 0.0025 * 50/98
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.0025 + 0.0025 * (50 / 98), 6);
    expect(histogramQuantile(0.99, buckets([]))).toBeNull();
    // Everything above the largest bound: answers that bound.
    expect(histogramQuantile(0.99, buckets([5, 6]))).toBe(2.5);
  });

  it("subtracts a previous scrape, refuses a counter reset, merges nodes", () => {
    const before = buckets([0.004]);
    const after = buckets([0.004, 0.3, 0.3]);
    const d = bucketDelta(after, before)!;
    expect(d.at(-1)?.count).toBe(2);
    expect(histogramQuantile(0.99, d)).toBeGreaterThan(0.25);
    expect(bucketDelta(before, after)).toBeNull();
    const merged = mergeBuckets([before, after]);
    expect(merged.at(-1)?.count).toBe(4);
  });

  it("reads a node's figures", () => {
    const m = readNodeMetrics(
      parsePrometheusText(
        exposition({
          sockets: 7,
          onlineUsers: 5,
          sends: 5,
          typing: 2,
          sendDurations: [0.004],
          lagP99: 0.02,
        }),
      ),
    );
    expect(m).toMatchObject({
      sockets: 7,
      onlineUsers: 5,
      eventsTotal: 7,
      eventLoopLagP99Seconds: 0.02,
    });
    expect(m.sendBuckets.at(-1)?.count).toBe(1);
    // Before any event, prom-client writes no sample of a labelled counter: 0 events.
    expect(readNodeMetrics([])).toEqual({
      sockets: null,
      onlineUsers: null,
      eventsTotal: 0,
      sendBuckets: [],
      eventLoopLagP99Seconds: null,
    });
  });
});

describe("createNodeStatsCollector (real HTTP)", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  /** A fake realtime node whose /metrics and /healthz answer what `state` holds now. */
  async function fakeNode(state: { metrics: string; health: object; healthStatus?: number }) {
    const server = createServer((req, res) => {
      if (req.url === "/metrics") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end(state.metrics);
      } else if (req.url === "/healthz") {
        res.writeHead(state.healthStatus ?? 200, { "content-type": "application/json" });
        res.end(JSON.stringify(state.health));
      } else {
        res.writeHead(404).end();
      }
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const up = { status: "up", latencyMs: 1 };
  const healthy = { status: "ok", dependencies: { postgres: up, redis: up, cassandra: up } };

  it("computes rates and the p99 between two scrapes, per node and in total", async () => {
    const a = {
      metrics: exposition({ sockets: 2, sends: 10, sendDurations: [] }),
      health: healthy,
    };
    const b = {
      metrics: exposition({ sockets: 3, sends: 0, sendDurations: [] }),
      health: {
        ...healthy,
        status: "degraded",
        dependencies: {
          ...healthy.dependencies,
          cassandra: { status: "down", latencyMs: 2000, error: "NoHostAvailableError" },
        },
      },
      healthStatus: 503,
    };
    const nodes: TRealtimeNode[] = [
      { nodeId: "a", url: await fakeNode(a), startedAt: "2026-12-01T00:00:00.000Z" },
      { nodeId: "b", url: `${await fakeNode(b)}/`, startedAt: "2026-12-01T00:00:00.000Z" },
      // Listed in the registry but not answering.
      { nodeId: "c", url: "http://127.0.0.1:9", startedAt: "2026-12-01T00:00:00.000Z" },
    ];
    let clock = 1_000_000;
    const collector = createNodeStatsCollector({
      listNodes: () => Promise.resolve(nodes),
      now: () => clock,
      minIntervalMs: 0,
      timeoutMs: 1_000,
    });

    const first = await collector.collect();
    // The first scrape has no earlier one: no rate, and no p99 (not the all-time one).
    expect(first.nodes[0]).toMatchObject({ sendP99Ms: null, sendWindowSeconds: null });
    expect(first.nodes.map((n) => [n.nodeId, n.reachable, n.sockets, n.eventsPerSecond])).toEqual([
      ["a", true, 2, null],
      ["b", true, 3, null],
      ["c", false, null, null],
    ]);
    expect(first.nodes[2]?.error).toBeTruthy();
    expect(first.nodes[1]).toMatchObject({ health: "degraded" });
    expect(first.nodes[1]?.dependencies.cassandra).toMatchObject({ status: "down" });
    expect(first.totals).toMatchObject({ nodes: 3, reachable: 2, sockets: 5, health: "degraded" });

    // 2 s later: A handled 40 more events (20/s), 100 sends of which 2 were slow; B 10 (5/s).
    clock += 2_000;
    a.metrics = exposition({
      sockets: 4,
      sends: 50,
      sendDurations: [...Array<number>(98).fill(0.004), 0.07, 0.08],
      lagP99: 0.031,
    });
    b.metrics = exposition({ sockets: 3, sends: 10, sendDurations: Array<number>(10).fill(0.002) });
    const second = await collector.collect();
    const [na, nb] = second.nodes;
    expect(na).toMatchObject({
      eventsPerSecond: 20,
      sendCount: 100,
      sendWindowSeconds: 2,
      eventLoopLagP99Ms: 31,
    });
    expect(na?.sendP99Ms).toBeCloseTo(75, 1);
    expect(nb).toMatchObject({ eventsPerSecond: 5, sendCount: 10 });
    expect(second.totals).toMatchObject({
      sockets: 7,
      eventsPerSecond: 25,
      sendCount: 110,
      eventLoopLagP99Ms: 31,
    });
    // 110 sends: rank 108.9 of the merged histogram is in A's slow bucket.
    expect(second.totals.sendP99Ms).toBeGreaterThan(50);

    // The next interval has no new sends: 0 events/s, and the p99 still covers the last minute.
    clock += 2_000;
    const third = await collector.collect();
    expect(third.nodes[0]).toMatchObject({
      eventsPerSecond: 0,
      sendCount: 100,
      sendWindowSeconds: 4,
    });
    expect(third.nodes[0]?.sendP99Ms).toBeCloseTo(75, 1);

    // A minute later without sends: the window holds none, so no p99; the rate still works.
    clock += 61_000;
    a.metrics = exposition({
      sockets: 4,
      sends: 111,
      sendDurations: [...Array<number>(98).fill(0.004), 0.07, 0.08],
    });
    const later = await collector.collect();
    expect(later.nodes[0]).toMatchObject({ eventsPerSecond: 1, sendCount: 0, sendP99Ms: null });

    // A restarts (new startedAt, counters from zero): no rate across the restart.
    nodes[0] = { ...nodes[0]!, startedAt: "2026-12-01T01:00:00.000Z" };
    a.metrics = exposition({ sockets: 1, sends: 1, sendDurations: [0.004] });
    clock += 2_000;
    const fourth = await collector.collect();
    expect(fourth.nodes[0]).toMatchObject({ eventsPerSecond: null, sockets: 1 });
  });

  it("shares one scrape between callers within minIntervalMs", async () => {
    let listed = 0;
    const collector = createNodeStatsCollector({
      listNodes: () => {
        listed++;
        return Promise.resolve([]);
      },
      minIntervalMs: 60_000,
    });
    const [x, y] = await Promise.all([collector.collect(), collector.collect()]);
    expect(x).toBe(y);
    expect(listed).toBe(1);
    expect(x.totals).toMatchObject({ nodes: 0, reachable: 0, sockets: 0, health: "unknown" });
  });
});

describe("the push queue in a snapshot", () => {
  const stats = {
    waiting: 7,
    active: 2,
    delayed: 3,
    failed: 1,
    deadLettered: 4,
    oldestWaitingAgeMs: 12_500,
  };

  it("adds the depth: waiting + active + delayed", () => {
    expect(pushQueueFigures(stats)).toEqual({ available: true, ...stats, depth: 12 });
  });

  it("is read with every snapshot, next to the nodes' totals", async () => {
    let current = stats;
    const collector = createNodeStatsCollector({
      listNodes: () => Promise.resolve([]),
      pushStats: () => Promise.resolve(current),
      minIntervalMs: 0,
    });
    expect((await collector.collect()).totals.push).toEqual({
      available: true,
      ...stats,
      depth: 12,
    });
    current = { ...stats, waiting: 0, active: 0, delayed: 0, oldestWaitingAgeMs: 0 };
    expect((await collector.collect()).totals).toMatchObject({
      nodes: 0,
      push: { available: true, depth: 0, deadLettered: 4, oldestWaitingAgeMs: 0 },
    });
  });

  it("says why when the queue cannot be read, without failing the snapshot", async () => {
    const down = createNodeStatsCollector({
      listNodes: () => Promise.resolve([]),
      pushStats: () => Promise.reject(new Error("Connection is closed.")),
      minIntervalMs: 0,
    });
    const snapshot = await down.collect();
    expect(snapshot.totals.push).toEqual({
      available: false,
      error: "Error: Connection is closed.",
    });
    expect(snapshot.totals.nodes).toBe(0);

    const stuck = createNodeStatsCollector({
      listNodes: () => Promise.resolve([]),
      pushStats: () => new Promise(() => undefined),
      timeoutMs: 50,
      minIntervalMs: 0,
    });
    expect((await stuck.collect()).totals.push).toEqual({
      available: false,
      error: "Error: no answer within 50 ms",
    });

    const none = createNodeStatsCollector({ listNodes: () => Promise.resolve([]) });
    expect((await none.collect()).totals.push).toEqual({
      available: false,
      error: "push queue not configured",
    });
  });
});
