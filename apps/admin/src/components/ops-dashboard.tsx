"use client";
// Live ops: polls /api/ops every 2 s (the server scrapes each realtime node's
// /metrics and /healthz and computes rates between its scrapes), shows the
// totals and each node, and charts the last five minutes with uPlot.
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { TOpsSnapshot } from "@relay/core";
import { fmtDateTime } from "./format";

const POLL_MS = 2_000;
const KEEP_POINTS = 150; // 5 minutes at one point per 2 s

interface TPoint {
  t: number;
  sockets: number;
  eventsPerSecond: number | null;
  sendP99Ms: number | null;
  lagMs: number | null;
}

const fmt = (v: number | null | undefined, unit = "", digits = 1) =>
  v === null || v === undefined ? "—" : `${Number(v.toFixed(digits)).toLocaleString("en")}${unit}`;

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
        setPoints((prev) =>
          [
            ...prev,
            {
              t: Date.parse(body.at) / 1000,
              sockets: body.totals.sockets,
              eventsPerSecond: body.totals.eventsPerSecond,
              sendP99Ms: body.totals.sendP99Ms,
              lagMs: body.totals.eventLoopLagP99Ms,
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
}: {
  label: string;
  value: string;
  hint?: string | undefined;
  tone?: "ok" | "bad" | undefined;
}) {
  return (
    <div className={`stat${tone ? ` stat--${tone}` : ""}`}>
      <span className="stat__label">{label}</span>
      <span className="stat__value">{value}</span>
      {hint ? <span className="stat__hint">{hint}</span> : null}
    </div>
  );
}
