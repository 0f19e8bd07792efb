// Prometheus metrics for one realtime node (GET /metrics).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface MetricsOptions {
  /** Distinct users with at least one socket on this node (read when scraped). */
  onlineUsers?: () => number;
}

export function createMetrics(opts: MetricsOptions = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "relay_realtime_" });
  return {
    registry,
    connectedSockets: new Gauge({
      name: "relay_connected_sockets",
      help: "Socket.IO connections open on this node",
      registers: [registry],
    }),
    onlineUsers: new Gauge({
      name: "relay_online_users",
      help: "Distinct users with at least one socket on this node",
      registers: [registry],
      collect() {
        if (opts.onlineUsers) this.set(opts.onlineUsers());
      },
    }),
    dependencyUp: new Gauge({
      name: "relay_dependency_up",
      help: "1 when the dependency answered its last health probe",
      labelNames: ["dependency"],
      registers: [registry],
    }),
    dependencyLatency: new Gauge({
      name: "relay_dependency_latency_ms",
      help: "Latency of the last health probe",
      labelNames: ["dependency"],
      registers: [registry],
    }),
    events: new Counter({
      name: "relay_socket_events_total",
      help: "Client events handled, by event and outcome code",
      labelNames: ["event", "code"],
      registers: [registry],
    }),
    resyncs: new Counter({
      name: "relay_adapter_resyncs_total",
      help: "Times an adapter link to the other nodes came back and clients were told sync:required",
      labelNames: ["link"],
      registers: [registry],
    }),
    eventLatency: new Histogram({
      name: "relay_socket_event_duration_seconds",
      help: "Time from receiving a client event to its ack",
      labelNames: ["event"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
