"use client";
// Live ops: polls /api/ops every 2 s (the server scrapes each realtime node's
// /metrics and /healthz and computes rates between its scrapes, and reads the
// push queue), shows the totals and each node, and charts the last five
// minutes with uPlot.
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { TOpsPushQueue, TOpsSnapshot } from "@relay/core";
import { fmtDateTime } from "./format";

const POLL_MS = 2_000;
const KEEP_POINTS = 150; // 5 minutes at one point per 2 s

interface TPoint {
  t: number;
  sockets: number;
  eventsPerSecond: number | null;
  sendP99Ms: number | null;
  lagMs: number | null;
  /** null while the push queue cannot be read. */
  pushDepth: number | null;
  deadLettered: number | null;
  pushOldestS: number | null;
}

const fmt = (v: number | null | undefined, unit = "", digits = 1) =>
  v === null || v === undefined ? "—" : `${Number(v.toFixed(digits)).toLocaleString("en")}${unit}`;

/** 850 ms → "0.9 s", 95 s → "1.6 min", 2 h → "2 h". */
function fmtAge(ms: number | null | undefined) {
  if (ms === null || ms === undefined) return "—";
  if (ms < 60_000) return fmt(ms / 1000, " s");
  if (ms < 3_600_000) return fmt(ms / 60_000, " min");
  return fmt(ms / 3_600_000, " h");
}

/** A waiting push older than this is shown as a problem (the worker is behind or down). */
const OLDEST_PUSH_WARN_MS = 60_000;

const pushOf = (q: TOpsPushQueue | undefined) => (q?.available ? q : null);

function Chart({
  title,
  points,
  series,
}: {
  title: string;
  points: TPoint[];
  series: Array<{
    label: string;
    value: (p: TPoint) => number | null;
    color: string;
    scale?: string;
  }>;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const seriesRef = useRef(series);
  seriesRef.current = series;

  // Created once (the series never change); data and size are updated in place.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const scales = [...new Set(series.map((s) => s.scale ?? "y"))];
    const u = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 220,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            scale: s.scale ?? "y",
            spanGaps: false,
          })),
        ],
        axes: [
          {
            stroke: "#8a8a99",
            grid: { stroke: "rgba(128,128,128,0.15)" },
            space: 70,
            // HH:MM:SS (UTC, like the rest of the console)
            values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(11, 19)),
          },
          ...scales.map((scale, i) => ({
            scale,
            side: i === 0 ? 3 : 1,
            stroke: "#8a8a99",
            size: 56,
            grid: { show: i === 0, stroke: "rgba(128,128,128,0.15)" },
          })),
        ],
      },
      [[], ...series.map(() => [])],
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([
      points.map((p) => p.t),
      ...seriesRef.current.map((s) => points.map((p) => s.value(p))),
    ]);
  }, [points]);

  return (
    <figure className="chart">
      <figcaption className="chart__title">{title}</figcaption>
      <div ref={box} className="chart__plot" role="img" aria-label={`${title}, last 5 minutes`} />
    </figure>
  );
}

function healthText(h: string) {
  return h === "ok" ? "all up" : h === "degraded" ? "degraded" : "unknown";
}

export function OpsDashboard() {
  const [snapshot, setSnapshot] = useState<TOpsSnapshot | null>(null);
  const [points, setPoints] = useState<TPoint[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        const res = await fetch("/api/ops", { cache: "no-store" });
        if (res.status === 401) {
          window.location.assign("/signin");
          return;
        }
        const body = (await res.json()) as TOpsSnapshot | { error: { message: string } };
        if (!res.ok || "error" in body)
          throw new Error("error" in body ? body.error.message : `HTTP ${res.status}`);
        if (stopped) return;
        setSnapshot(body);
        setError(null);
        const queue = pushOf(body.totals.push);
        setPoints((prev) =>
          [
            ...prev,
            {
              t: Date.parse(body.at) / 1000,
              sockets: body.totals.sockets,
              eventsPerSecond: body.totals.eventsPerSecond,
              sendP99Ms: body.totals.sendP99Ms,
              lagMs: body.totals.eventLoopLagP99Ms,
              pushDepth: queue?.depth ?? null,
              deadLettered: queue?.deadLettered ?? null,
              pushOldestS: queue ? queue.oldestWaitingAgeMs / 1000 : null,
            },
          ].slice(-KEEP_POINTS),
        );
      } catch (err) {
        if (!stopped) setError(err instanceof Error ? err.message : "could not load");
      } finally {
        if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
      }
    }
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  const t = snapshot?.totals;
  const push = pushOf(t?.push);
  const pushDown = t && !t.push.available ? t.push.error : undefined;
  return (
    <div className="ops">
      <p className="ops__status" aria-live="polite">
        {error ? (
          <span className="note note--error">Last refresh failed: {error}</span>
        ) : snapshot ? (
          <>Updated {fmtDateTime(snapshot.at).replace(" UTC", "")} UTC · refreshes every 2 s</>
        ) : (
          "Loading…"
        )}
      </p>
      <div className="stats" data-testid="ops-totals">
        <Stat
          label="Nodes"
          value={t ? `${t.reachable} / ${t.nodes}` : "—"}
          hint="answering / registered"
        />
        <Stat label="Sockets" value={fmt(t?.sockets, "", 0)} />
        <Stat
          label="Online users"
          value={fmt(t?.onlineUsers, "", 0)}
          hint="per node, summed (a user on two nodes counts twice)"
        />
        <Stat label="Events/s" value={fmt(t?.eventsPerSecond)} />
        <Stat
          label="Send p99"
          value={fmt(t?.sendP99Ms, " ms")}
          hint={
            t?.sendWindowSeconds
              ? `${t.sendCount} send${t.sendCount === 1 ? "" : "s"} in the last ${t.sendWindowSeconds} s`
              : "needs two scrapes"
          }
        />
        <Stat
          label="Event-loop lag p99"
          value={fmt(t?.eventLoopLagP99Ms, " ms")}
          hint="worst node"
        />
        <Stat
          label="Stores"
          value={t ? healthText(t.health) : "—"}
          tone={t?.health === "ok" ? "ok" : t ? "bad" : undefined}
        />
        <Stat
          label="Push queue"
          value={push ? fmt(push.depth, "", 0) : t ? "unavailable" : "—"}
          hint={
            push
              ? `${push.waiting} waiting · ${push.active} sending · ${push.delayed} retrying`
              : pushDown
          }
          tone={pushDown ? "bad" : undefined}
          testId="ops-push-depth"
        />
        <Stat
          label="Oldest waiting push"
          value={fmtAge(push?.oldestWaitingAgeMs)}
          hint="time since the oldest job was queued"
          tone={push && push.oldestWaitingAgeMs > OLDEST_PUSH_WARN_MS ? "bad" : undefined}
          testId="ops-push-oldest"
        />
        <Stat
          label="Push failures"
          value={fmt(push?.failed, "", 0)}
          hint="jobs failed outright (malformed, or a worker crash)"
          tone={push && push.failed > 0 ? "bad" : undefined}
          testId="ops-push-failed"
        />
        <Stat
          label="Dead letters"
          value={fmt(push?.deadLettered, "", 0)}
          hint="out of attempts: npm run push:dlq"
          tone={push ? (push.deadLettered > 0 ? "bad" : "ok") : undefined}
          testId="ops-push-dead"
        />
      </div>
      <div className="charts">
        <Chart
          title="Sockets and events per second"
          points={points}
          series={[
            { label: "Sockets", value: (p) => p.sockets, color: "#4f46e5" },
            { label: "Events/s", value: (p) => p.eventsPerSecond, color: "#059669", scale: "rate" },
          ]}
        />
        <Chart
          title="Latency (ms)"
          points={points}
          series={[
            { label: "Send p99 (last minute)", value: (p) => p.sendP99Ms, color: "#d97706" },
            { label: "Event-loop lag p99", value: (p) => p.lagMs, color: "#dc2626" },
          ]}
        />
        <Chart
          title="Push queue"
          points={points}
          series={[
            { label: "Depth (jobs)", value: (p) => p.pushDepth, color: "#0891b2" },
            { label: "Dead letters", value: (p) => p.deadLettered, color: "#dc2626" },
            {
              label: "Oldest waiting (s)",
              value: (p) => p.pushOldestS,
              color: "#7c3aed",
              scale: "age",
            },
          ]}
        />
      </div>
      <section className="panel" aria-labelledby="nodes-title">
        <div className="panel__head">
          <h2 className="panel__title" id="nodes-title">
            Realtime nodes
          </h2>
        </div>
        {snapshot && snapshot.nodes.length === 0 ? (
          <p className="empty">No realtime node is registered. Is apps/realtime running?</p>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Realtime nodes">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Status</th>
                  <th className="num">Sockets</th>
                  <th className="num">Online users</th>
                  <th className="num">Events/s</th>
                  <th className="num">Send p99 (1 min)</th>
                  <th className="num">Loop lag p99</th>
                  <th>Stores</th>
                  <th>Started</th>
                </tr>
              </thead>
              <tbody>
                {snapshot?.nodes.map((n) => (
                  <tr key={n.nodeId} data-testid="ops-node">
                    <td>
                      <strong>{n.nodeId}</strong>
                      <div className="muted small">{n.url}</div>
                    </td>
                    <td>
                      {n.reachable ? (
                        <span className={`tag ${n.health === "ok" ? "tag--ok" : "tag--warn"}`}>
                          {n.health === "ok" ? "up" : n.health}
                        </span>
                      ) : (
                        <span className="tag tag--bad" title={n.error ?? undefined}>
                          unreachable
                        </span>
                      )}
                    </td>
                    <td className="num">{fmt(n.sockets, "", 0)}</td>
                    <td className="num">{fmt(n.onlineUsers, "", 0)}</td>
                    <td className="num">{fmt(n.eventsPerSecond)}</td>
                    <td className="num">{fmt(n.sendP99Ms, " ms")}</td>
                    <td className="num">{fmt(n.eventLoopLagP99Ms, " ms")}</td>
                    <td>
                      {Object.entries(n.dependencies).length
                        ? Object.entries(n.dependencies).map(([name, d]) => (
                            <span
                              key={name}
                              className={`tag ${d.status === "up" ? "tag--ok" : "tag--bad"}`}
                              title={d.error ?? `${d.latencyMs} ms`}
                            >
                              {name} {d.status}
                            </span>
                          ))
                        : "—"}
                    </td>
                    <td className="small">{fmtDateTime(n.startedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function Stat({
  label,
  value,
  hint,
  tone,
  testId,
}: {
  label: string;
  value: string;
  hint?: string | undefined;
  tone?: "ok" | "bad" | undefined;
  testId?: string;
}) {
  return (
    <div className={`stat${tone ? ` stat--${tone}` : ""}`} data-testid={testId}>
      <span className="stat__label">{label}</span>
      <span className="stat__value">{value}</span>
      {hint ? <span className="stat__hint">{hint}</span> : null}
    </div>
  );
}
