// Prometheus metrics of one push worker (GET /metrics on PUSH_METRICS_PORT).
// Counters per outcome (rates are Prometheus's job), the send latency per
// provider, and gauges read from the shared queue on every scrape (every
// worker reports the same queue: aggregate with max, not sum).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { TPushQueueStats } from "@relay/core";
import type { PushObserver, PushProvider, TPushPlatform } from "@relay/core/push-worker";

export function createPushMetrics(opts: {
  providers: Record<TPushPlatform, PushProvider>;
  stats: () => Promise<TPushQueueStats>;
}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "relay_push_" });
  const registers = [registry];
  const queued = new Counter({
    name: "relay_push_jobs_queued_total",
    help: "Jobs this worker added to the push queue (deliver: one per device; trail: collapse updates; clear: silent clears)",
    labelNames: ["job"],
    registers,
  });
  const sent = new Counter({
    name: "relay_push_sent_total",
    help: "Pushes the provider accepted, by platform and kind (message | clear)",
    labelNames: ["platform", "kind"],
    registers,
  });
  const failed = new Counter({
    name: "relay_push_failed_total",
    help: "Provider sends that failed, by platform and reason (<platform>:<provider code>)",
    labelNames: ["platform", "reason"],
    registers,
  });
  const retried = new Counter({
    name: "relay_push_retried_total",
    help: "Jobs scheduled for another attempt (backoff), by job and reason",
    labelNames: ["job", "reason"],
    registers,
  });
  const deadLettered = new Counter({
    name: "relay_push_dead_lettered_total",
    help: "Jobs moved to the dead-letter queue after their last attempt, by job and reason",
    labelNames: ["job", "reason"],
    registers,
  });
  const tokensDisabled = new Counter({
    name: "relay_push_tokens_disabled_total",
    help: "Devices disabled because the provider said the token is dead, by platform and reason",
    labelNames: ["platform", "reason"],
    registers,
  });
  const skipped = new Counter({
    name: "relay_push_skipped_total",
    help: "Pushes not sent on purpose (read, deleted, online, muted, collapsed, duplicate…), by job and reason",
    labelNames: ["job", "reason"],
    registers,
  });
  const sendDuration = new Histogram({
    name: "relay_push_send_duration_seconds",
    help: "Time of one provider request, by platform and outcome (ok | error)",
    labelNames: ["platform", "outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const providerEnabled = new Gauge({
    name: "relay_push_provider_enabled",
    help: "1 when the platform has credentials (or a stand-in), 0 when disabled",
    labelNames: ["platform"],
    registers,
  });
  for (const p of Object.values(opts.providers))
    providerEnabled.set({ platform: p.platform }, p.enabled ? 1 : 0);

  // Read from Redis at scrape time (one scrape = three queue reads).
  let last: Promise<TPushQueueStats> | undefined;
  const current = () =>
    (last ??= opts.stats().finally(() => setTimeout(() => (last = undefined), 500)));
  new Gauge({
    name: "relay_push_queue_jobs",
    help: "Jobs in the push queue by state (waiting, active, delayed: retries, away users and collapse trails; failed; dead_lettered)",
    labelNames: ["state"],
    registers,
    async collect() {
      const s = await current();
      this.set({ state: "waiting" }, s.waiting);
      this.set({ state: "active" }, s.active);
      this.set({ state: "delayed" }, s.delayed);
      this.set({ state: "failed" }, s.failed);
      this.set({ state: "dead_lettered" }, s.deadLettered);
    },
  });
  new Gauge({
    name: "relay_push_oldest_job_age_seconds",
    help: "Age of the oldest job waiting to run (0 when none): grows when workers fall behind",
    registers,
    async collect() {
      this.set((await current()).oldestWaitingAgeMs / 1000);
    },
  });

  const observer: PushObserver = {
    queued: (job, count) => queued.inc({ job }, count),
    sent: (platform, kind, seconds) => {
      sent.inc({ platform, kind });
      sendDuration.observe({ platform, outcome: "ok" }, seconds);
    },
    failed: (platform, reason, seconds) => {
      failed.inc({ platform, reason });
      sendDuration.observe({ platform, outcome: "error" }, seconds);
    },
    retried: (job, reason) => retried.inc({ job, reason }),
    deadLettered: (job, reason) => deadLettered.inc({ job, reason }),
    tokenDisabled: (platform, reason) => tokensDisabled.inc({ platform, reason }),
    skipped: (job, reason) => skipped.inc({ job, reason }),
  };
  return { registry, observer };
}
