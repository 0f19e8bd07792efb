// Messaging benchmark load generator (its own process; started by
// scripts/bench.mjs, which provisions the stores and starts the servers).
//
// Open loop: message k of a step is *scheduled* at start + k / rate, whatever
// the responses do, and every latency is measured from that scheduled time
// (not from when the generator got round to sending it), so a stalled server
// or a stalled generator shows up as latency instead of silently lowering the
// load (coordinated omission). Latencies go into HdrHistograms (µs, 3
// significant digits).
//
// Targets, each walked up the same rate ladder by the same code until it fails:
//   baseline            raw Socket.IO server (bench/baseline-server.mjs), same wire traffic, no store
//   baseline-cassandra  the same server doing one Cassandra INSERT per message before the ack
//   relay-same          Relay, sender and recipient on node 1
//   relay-cross         Relay, sender on node 1, recipient on node 2 (one Redis)
//
// The ladder: 100, 200, 300, 400, then doubling (800, 1600, …) until a step
// fails; then the gap between the last passing step P and the failing one is
// narrowed with 1.25 P and 1.5 P. Max sustained rate = the highest passing step.
// After relay-same's ladder, one extra step at 300 msg/s runs with node 1's
// V8 profiler on (through its inspector) and writes the .cpuprofile.
//
// Input (env): the test profile (DATABASE_URL, JWT_SECRET, REDIS_*, CASSANDRA_*),
// BENCH_RELAY_URLS (node1,node2), BENCH_RELAY_METRICS_URLS (their internal
// ports, where /metrics is), BENCH_BASELINE_URL, BENCH_BASELINE_CASSANDRA_URL,
// BENCH_OUT (result file), BENCH_PIDS (JSON name → pid, for CPU accounting),
// BENCH_BUDGET_S, BENCH_PROFILE_INSPECTOR (node 1's inspector ws:// URL) and
// BENCH_PROFILE_OUT (where the .cpuprofile goes).
// Overrides for quick runs: BENCH_STEPS ("100,250": a fixed list instead of the
// ladder), BENCH_WARMUP_S, BENCH_MEASURE_S, BENCH_PAIRS,
// BENCH_TARGETS ("baseline,relay-same").
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";
import { createTokenService, type Stores } from "@relay/core";
import { LIMITS } from "@relay/shared/limits";
import { measureAnatomy, type TAnatomyOp } from "./anatomy";
import { openInspector, type TCpuProfile } from "./inspector";
import { createCpuSampler, type TCpuUsage } from "./procstat";
import { envNumber, newHistogram, recordMs, round, summarize, type TLatencySummary } from "./stats";
import { openBenchStores } from "./stores";

// ---------------------------------------------------------------- settings

const num = envNumber;
const env = process.env;
const required = (name: string): string => {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set (run through npm run bench)`);
  return v;
};

export const SETTINGS = {
  /**
   * The ladder's first rates (messages/s): these, then doubling from the last
   * until a step fails; then `refine` × the last passing rate (each below the
   * failing one), stopping at the first failure. BENCH_STEPS: a fixed list.
   */
  steps: (env.BENCH_STEPS ?? "100,200,300,400").split(",").map(Number),
  ladder: env.BENCH_STEPS === undefined,
  refine: [1.25, 1.5],
  /** No rate above this (the generator's own limit is far below). */
  maxRate: 25_600,
  /** Per step: unrecorded seconds at the step's rate, then recorded seconds. */
  warmupS: num(env.BENCH_WARMUP_S, 2),
  measureS: num(env.BENCH_MEASURE_S, 6),
  /** A step records at least this many messages (100 msg/s: 15 s), so p99 rests on ≥ 15 samples above it. */
  minMeasuredMessages: 1500,
  /** A step fails when acked messages per second fall below this share of the offered rate. */
  minAchievedRatio: 0.95,
  /** Send lag p99 above this: the generator could not keep the schedule (noted in the verdict). */
  generatorLagMs: 20,
  /** The CPU-profile step (relay-same, node 1's V8 profiler via its inspector). */
  profileRate: 300,
  profileSeconds: 10,
  profileIntervalUs: 500,
  /** The profiler starts this long before its step, and that stretch is cut off the profile. */
  profileLeadMs: 1_500,
  /** After the last send of a step, wait at most this long for acks/deliveries. */
  drainMaxS: 8,
  /** DM pairs; sends go round-robin over the senders so each stays under the per-user limit. */
  pairs: num(env.BENCH_PAIRS, 400),
  bodyChars: 100,
  sloP99Ms: 100,
  maxErrorRate: 0.01,
  /** A step is cut short when this many sends (× rate, i.e. seconds of backlog) are unacked. */
  abortBacklogSeconds: 1,
  /** A step is re-run (at most noiseRetriesPerTarget per target) when CPU used by other work exceeded this (% of one core). */
  noiseOtherCpuPct: 25,
  noiseRetriesPerTarget: 3,
  targets: (env.BENCH_TARGETS ?? "relay-same,relay-cross,baseline-cassandra,baseline").split(","),
};

// ---------------------------------------------------------------- types

type TargetId = "baseline" | "baseline-cassandra" | "relay-same" | "relay-cross";

interface TargetSpec {
  id: TargetId;
  scenario: string;
  description: string;
  senderUrl: string;
  recipientUrl: string;
  relay: boolean;
}

interface Pair {
  conversationId: string;
  sender: { id: string; token: string };
  recipient: { id: string; token: string };
}

interface Conn {
  pair: Pair;
  sender: Socket;
  recipient: Socket;
}

export interface TStepResult {
  rate: number;
  /** Messages scheduled in the recorded window, and what became of them. */
  scheduled: number;
  sent: number;
  ackedOk: number;
  delivered: number;
  errors: Record<string, number>;
  errorRate: number;
  warmupErrors: number;
  duplicates: number;
  ack: TLatencySummary;
  delivery: TLatencySummary;
  /** Actual send time − scheduled time: how far the generator itself fell behind. */
  sendLag: TLatencySummary;
  /** Acked messages per second over the recorded window (to the last ack), and ÷ the offered rate. */
  achievedRate: number;
  achievedRatio: number;
  /** The generator fell behind its schedule (send lag p99 > SETTINGS.generatorLagMs). */
  generatorBound: boolean;
  measureS: number;
  /** Relay's own view from /metrics: message:send handler time (receive → ack) and event-loop delay. */
  server: TServerSide | null;
  /** Set when this is a re-run of a failed step that other work on the machine disturbed. */
  retriedAfter: {
    verdict: string;
    otherCpuPct: number;
    ackP99: number;
    deliveryP99: number;
  } | null;
  cpu: TCpuUsage;
  aborted: string | null;
  pass: boolean;
  verdict: string;
  wallS: number;
}

export interface TTargetResult {
  id: TargetId;
  scenario: string;
  description: string;
  steps: TStepResult[];
  skipped: number[];
  maxSustainedRate: number | null;
  /** The lowest failing rate (null: none failed, the ladder or the budget ended first). */
  firstFailedRate: number | null;
  /** Why the ladder stopped: "failed", "budget", "max rate" or "steps". */
  stoppedBy: string;
  disconnects: number;
  /** relay-same: the extra step run with node 1's CPU profiler on. */
  profile?: { rate: number; seconds: number; file: string; step: TStepResult } | null;
}

// ---------------------------------------------------------------- helpers

/** Before the load, wait up to QUIET_WAIT_MAX_S for the machine to be at most this busy (%). */
const QUIET_BUSY_PCT = 15;
const QUIET_WAIT_MAX_S = 10;
/** Time every target after the current one is guaranteed (seconds). */
const RESERVE_PER_TARGET_S = 75;

const log = (msg: string) => process.stdout.write(`[bench] ${msg}\n`);

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

function connect(url: string, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(url, {
    auth,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(new Error(`connect to ${url} failed: ${err.message}`));
    });
  });
}

interface TNodeScrape {
  sum: number;
  count: number;
  /** cumulative bucket counts by upper bound (seconds) */
  buckets: [number, number][];
  /** event-loop delay since the previous scrape (prom-client resets it on every scrape) */
  lagP99Ms: number | null;
  lagMaxMs: number | null;
}

/** A node's public URL → its internal port (where /metrics is), from BENCH_RELAY_METRICS_URLS. */
const metricsUrlOf = new Map<string, string>();

/** message:send handler histogram and event-loop delay from one node's /metrics. */
async function scrapeNode(url: string): Promise<TNodeScrape | null> {
  try {
    const res = await fetch(`${metricsUrlOf.get(url) ?? url}/metrics`, {
      signal: AbortSignal.timeout(3_000),
    });
    if (!res.ok) return null;
    const text = await res.text();
    const one = (re: RegExp) => {
      const m = re.exec(text);
      return m ? Number(m[1]) : null;
    };
    const buckets: [number, number][] = [];
    for (const line of text.split("\n")) {
      if (!line.startsWith("relay_socket_event_duration_seconds_bucket{")) continue;
      if (!line.includes('event="message:send"')) continue;
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const v = Number(line.slice(line.lastIndexOf(" ") + 1));
      if (le) buckets.push([le === "+Inf" ? Infinity : Number(le), v]);
    }
    buckets.sort((a, b) => a[0] - b[0]);
    const lagP99 = one(/^relay_realtime_nodejs_eventloop_lag_p99_seconds (\S+)$/m);
    const lagMax = one(/^relay_realtime_nodejs_eventloop_lag_max_seconds (\S+)$/m);
    return {
      sum: one(/^relay_socket_event_duration_seconds_sum\{event="message:send"\} (\S+)$/m) ?? 0,
      count: one(/^relay_socket_event_duration_seconds_count\{event="message:send"\} (\S+)$/m) ?? 0,
      buckets,
      lagP99Ms: lagP99 === null ? null : round(lagP99 * 1000, 2),
      lagMaxMs: lagMax === null ? null : round(lagMax * 1000, 2),
    };
  } catch {
    return null;
  }
}

export interface TServerSide {
  /** Sender node: message:send calls in the step (warm-up included) and their mean time. */
  handlerCalls: number;
  handlerMeanMs: number;
  /** Upper bound of the histogram bucket holding the handler's p99 (coarse). */
  handlerP99AtMostMs: number | null;
  handlerOver100msPct: number;
  senderLoopLagP99Ms: number | null;
  senderLoopLagMaxMs: number | null;
  recipientLoopLagP99Ms: number | null;
  recipientLoopLagMaxMs: number | null;
}

function serverSide(
  before: TNodeScrape | null,
  after: TNodeScrape | null,
  recipientAfter: TNodeScrape | null,
): TServerSide | null {
  if (!before || !after || after.count <= before.count) return null;
  const calls = after.count - before.count;
  const delta = after.buckets.map(([le, v]) => {
    const b = before.buckets.find(([l]) => l === le)?.[1] ?? 0;
    return [le, v - b] as [number, number];
  });
  const p99 = delta.find(([, v]) => v >= calls * 0.99)?.[0] ?? null;
  const upTo100 = delta.find(([le]) => le === 0.1)?.[1] ?? calls;
  return {
    handlerCalls: calls,
    handlerMeanMs: round(((after.sum - before.sum) / calls) * 1000, 3),
    handlerP99AtMostMs: p99 === null || p99 === Infinity ? null : p99 * 1000,
    handlerOver100msPct: round(((calls - upTo100) / calls) * 100, 2),
    senderLoopLagP99Ms: after.lagP99Ms,
    senderLoopLagMaxMs: after.lagMaxMs,
    recipientLoopLagP99Ms: recipientAfter?.lagP99Ms ?? null,
    recipientLoopLagMaxMs: recipientAfter?.lagMaxMs ?? null,
  };
}

const body = (k: number) => `bench ${k} `.padEnd(SETTINGS.bodyChars, "lorem ipsum dolor sit amet ");

// ---------------------------------------------------------------- one step

interface Rec {
  scheduled: number;
  measured: boolean;
  acked: boolean;
  failed: boolean;
  delivered: boolean;
}

class StepState {
  readonly recs = new Map<string, Rec>();
  readonly ack = newHistogram();
  readonly delivery = newHistogram();
  readonly lag = newHistogram();
  readonly errors: Record<string, number> = {};
  warmupErrors = 0;
  duplicates = 0;
  inflight = 0;
  ackedOk = 0;
  delivered = 0;
  /** When the last recorded message's ack arrived (performance.now()). */
  lastMeasuredAckAt = 0;
  open = 0; // recs not yet fully resolved

  error(rec: Rec, code: string) {
    if (rec.measured) this.errors[code] = (this.errors[code] ?? 0) + 1;
    else this.warmupErrors++;
  }

  onAck(id: string, res: unknown) {
    const rec = this.recs.get(id);
    if (!rec || rec.acked || rec.failed) return;
    const now = performance.now();
    this.inflight--;
    const r = res as { ok?: boolean; error?: { code?: string } } | null;
    if (r && r.ok === true) {
      rec.acked = true;
      if (rec.measured) {
        this.ackedOk++;
        this.lastMeasuredAckAt = now;
        recordMs(this.ack, now - rec.scheduled);
      }
      if (rec.delivered) this.settle(id);
    } else {
      rec.failed = true;
      this.error(rec, r?.error?.code ?? "BAD_ACK");
      this.settle(id);
    }
  }

  onDelivery(id: string) {
    const rec = this.recs.get(id);
    if (!rec) return;
    if (rec.delivered) {
      this.duplicates++;
      return;
    }
    rec.delivered = true;
    if (rec.measured) {
      this.delivered++;
      recordMs(this.delivery, performance.now() - rec.scheduled);
    }
    if (rec.acked || rec.failed) this.settle(id);
  }

  private settle(id: string) {
    this.recs.delete(id);
    this.open--;
  }

  destroy() {
    this.ack.destroy();
    this.delivery.destroy();
    this.lag.destroy();
  }
}

let current: StepState | null = null;

async function runStep(
  target: TargetSpec,
  conns: Conn[],
  rate: number,
  label: string,
  opts: { warmupS: number; measureS: number; record: boolean },
  cpu: ReturnType<typeof createCpuSampler>,
): Promise<TStepResult> {
  const state = new StepState();
  current = state;
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * (opts.warmupS + opts.measureS));
  const windowStart = () => start + warmupCount * intervalMs;
  const warmupCount = Math.round(rate * opts.warmupS);
  const backlogLimit = Math.max(500, rate * SETTINGS.abortBacklogSeconds);
  const crossNode = target.senderUrl !== target.recipientUrl;
  const metricsBefore = target.relay ? await scrapeNode(target.senderUrl) : null;
  if (target.relay && crossNode) await scrapeNode(target.recipientUrl); // resets its loop-lag window
  const cpuBefore = cpu.sample();
  const t0 = performance.now();
  const start = t0 + 20;
  const hardStop = start + (opts.warmupS + opts.measureS) * 1000 + 5_000;
  let k = 0;
  let sent = 0;
  let aborted = null as string | null; // set inside the tick closure

  const send = (i: number, scheduled: number) => {
    const conn = conns[i % conns.length]!;
    const id = `${target.id}-${label}-${i}`;
    const measured = opts.record && i >= warmupCount;
    state.recs.set(id, { scheduled, measured, acked: false, failed: false, delivered: false });
    state.open++;
    state.inflight++;
    sent += measured ? 1 : 0;
    if (measured) recordMs(state.lag, performance.now() - scheduled);
    conn.sender.emit(
      "message:send",
      { conversationId: conn.pair.conversationId, clientMsgId: id, body: body(i) },
      (res: unknown) => state.onAck(id, res),
    );
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (k < total && start + k * intervalMs <= now) {
        send(k, start + k * intervalMs);
        k++;
      }
      if (k >= total) return resolve();
      if (state.inflight > backlogLimit) {
        aborted = `backlog: ${state.inflight} sends unacked (> ${backlogLimit}) after ${round((now - start) / 1000)} s`;
        return resolve();
      }
      if (now > hardStop) {
        aborted = "generator could not keep the schedule";
        return resolve();
      }
      setTimeout(tick, 1);
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });

  // Drain: wait (bounded) for the outstanding acks and deliveries.
  const drainDeadline = performance.now() + SETTINGS.drainMaxS * 1000;
  while (state.open > 0 && performance.now() < drainDeadline) await sleep(20);
  const wallS = (performance.now() - t0) / 1000;
  const cpuUsage = cpu.diff(cpuBefore, cpu.sample(), os.cpus().length);
  const metricsAfter = target.relay ? await scrapeNode(target.senderUrl) : null;
  const recipientAfter = target.relay && crossNode ? await scrapeNode(target.recipientUrl) : null;

  // Whatever is still open never completed: an error, not a latency.
  for (const rec of state.recs.values()) {
    if (!rec.acked && !rec.failed) state.error(rec, "ACK_TIMEOUT");
    else if (rec.acked && !rec.delivered) state.error(rec, "UNDELIVERED");
  }
  state.recs.clear(); // late acks/deliveries of this step are ignored from now on
  current = null;

  const scheduledMeasured = opts.record ? total - warmupCount : 0;
  const errorCount = Object.values(state.errors).reduce((a, b) => a + b, 0);
  // Messages never sent because the step was cut short count against it too.
  const notSent = Math.max(0, scheduledMeasured - sent);
  const errorRate = scheduledMeasured > 0 ? (errorCount + notSent) / scheduledMeasured : 0;
  const ack = summarize(state.ack);
  const delivery = summarize(state.delivery);
  const sendLag = summarize(state.lag);
  // Throughput: acked messages of the recorded window ÷ (window start → last ack).
  const achievedS = Math.max(opts.measureS, (state.lastMeasuredAckAt - windowStart()) / 1000);
  const achievedRate = opts.record && state.ackedOk > 0 ? state.ackedOk / achievedS : 0;
  const achievedRatio = opts.record ? achievedRate / rate : 0;
  const generatorBound = sendLag.p99 > SETTINGS.generatorLagMs;
  const reasons: string[] = [];
  if (aborted) reasons.push(`aborted (${aborted})`);
  if (opts.record && achievedRatio < SETTINGS.minAchievedRatio)
    reasons.push(
      `achieved ${round(achievedRate, 0)} msg/s = ${round(achievedRatio * 100, 1)}% of offered < ${SETTINGS.minAchievedRatio * 100}%`,
    );
  if (ack.p99 >= SETTINGS.sloP99Ms) reasons.push(`ack p99 ${ack.p99} ms ≥ ${SETTINGS.sloP99Ms}`);
  if (delivery.p99 >= SETTINGS.sloP99Ms)
    reasons.push(`delivery p99 ${delivery.p99} ms ≥ ${SETTINGS.sloP99Ms}`);
  if (errorRate > SETTINGS.maxErrorRate)
    reasons.push(`errors ${round(errorRate * 100, 2)}% > ${SETTINGS.maxErrorRate * 100}%`);
  if (ack.count === 0) reasons.push("no acks");
  if (reasons.length && generatorBound)
    reasons.push(`generator behind schedule (send lag p99 ${sendLag.p99} ms)`);
  const result: TStepResult = {
    rate,
    scheduled: scheduledMeasured,
    sent,
    ackedOk: state.ackedOk,
    delivered: state.delivered,
    errors: { ...state.errors, ...(notSent ? { NOT_SENT: notSent } : {}) },
    errorRate: round(errorRate, 5),
    warmupErrors: state.warmupErrors,
    duplicates: state.duplicates,
    ack,
    delivery,
    sendLag,
    achievedRate: round(achievedRate, 1),
    achievedRatio: round(achievedRatio, 4),
    generatorBound,
    measureS: opts.measureS,
    server: serverSide(metricsBefore, metricsAfter, recipientAfter),
    retriedAfter: null,
    cpu: cpuUsage,
    aborted,
    pass: reasons.length === 0,
    verdict: reasons.length === 0 ? "ok" : reasons.join("; "),
    wallS: round(wallS, 2),
  };
  state.destroy();
  return result;
}

// ---------------------------------------------------------------- one target

async function connectAll(target: TargetSpec, pairs: Pair[]): Promise<Conn[]> {
  return mapLimit(pairs, 25, async (pair) => {
    const auth = (self: Pair["sender"], peer: Pair["sender"]) =>
      target.relay
        ? { token: self.token }
        : { userId: self.id, conversationId: pair.conversationId, peerId: peer.id };
    const recipient = await connect(target.recipientUrl, auth(pair.recipient, pair.sender));
    const sender = await connect(target.senderUrl, auth(pair.sender, pair.recipient));
    return { pair, sender, recipient };
  });
}

/** Recorded seconds of a step at `rate`: SETTINGS.measureS, or longer for ≥ minMeasuredMessages. */
const measureSecondsAt = (rate: number) =>
  Math.max(SETTINGS.measureS, Math.ceil((SETTINGS.minMeasuredMessages / rate) * 10) / 10);

/**
 * The rates to try, one at a time: `next(lastRate, passed)` gives the next
 * rate or null. Fixed list (BENCH_STEPS) or the ladder: the first steps, then
 * doubling until a failure, then refine × the last pass (below the failure).
 */
function createLadder() {
  const fixed = SETTINGS.steps;
  let lastPass: number | null = null;
  let firstFail: number | null = null;
  let refining: number[] | null = null;
  return {
    first: fixed[0]!,
    get lastPass() {
      return lastPass;
    },
    get firstFail() {
      return firstFail;
    },
    next(rate: number, passed: boolean): number | null {
      if (passed) lastPass = Math.max(lastPass ?? 0, rate);
      else firstFail = Math.min(firstFail ?? Infinity, rate);
      if (!SETTINGS.ladder) {
        if (!passed) return null;
        return fixed[fixed.indexOf(rate) + 1] ?? null;
      }
      if (refining) {
        if (!passed) return null;
        return refining.shift() ?? null;
      }
      if (passed) {
        const i = fixed.indexOf(rate);
        const up = i >= 0 && i < fixed.length - 1 ? fixed[i + 1]! : rate * 2;
        return up <= SETTINGS.maxRate ? up : null;
      }
      // First failure: narrow the gap between the last pass and this rate.
      if (lastPass === null) return null;
      const p = lastPass;
      refining = SETTINGS.refine
        .map((f) => Math.round((p * f) / 10) * 10)
        .filter((r) => r > p && r < rate);
      return refining.shift() ?? null;
    },
  };
}

async function runTarget(
  target: TargetSpec,
  pairs: Pair[],
  cpu: ReturnType<typeof createCpuSampler>,
  deadline: number,
): Promise<TTargetResult> {
  log(`${target.id}: connecting ${pairs.length * 2} sockets…`);
  const conns = await connectAll(target, pairs);
  let disconnects = 0;
  for (const c of conns) {
    c.recipient.on("message:new", (m: { clientMsgId?: string }) => {
      if (m?.clientMsgId) current?.onDelivery(m.clientMsgId);
    });
    for (const s of [c.sender, c.recipient]) s.on("disconnect", () => disconnects++);
  }
  const result: TTargetResult = {
    id: target.id,
    scenario: target.scenario,
    description: target.description,
    steps: [],
    skipped: [],
    maxSustainedRate: null,
    firstFailedRate: null,
    stoppedBy: "steps",
    disconnects: 0,
    profile: null,
  };
  let retriesLeft = SETTINGS.noiseRetriesPerTarget;
  const ladder = createLadder();
  try {
    // Warm-up, not recorded: ≥ 4 s at 200/s, at least one message per pair
    // (fills the member caches and seq counters, JIT-compiles both sides).
    const warm = await runStep(
      target,
      conns,
      200,
      "w",
      { warmupS: Math.max(4, pairs.length / 200), measureS: 0, record: false },
      cpu,
    );
    log(`${target.id}: warm-up done (${warm.warmupErrors} errors)`);
    for (let rate: number | null = ladder.first; rate !== null;) {
      const measureS = measureSecondsAt(rate);
      const need = (SETTINGS.warmupS + measureS + 2) * 1000;
      if (performance.now() + need > deadline) {
        result.skipped.push(rate);
        result.stoppedBy = "budget";
        break;
      }
      await sleep(500);
      const stepOpts = { warmupS: SETTINGS.warmupS, measureS, record: true };
      let step = await runStep(target, conns, rate, String(rate), stepOpts, cpu);
      const otherCpu = step.cpu.processesPct.other ?? 0;
      if (
        otherCpu > SETTINGS.noiseOtherCpuPct &&
        retriesLeft > 0 &&
        performance.now() + need + 1_000 < deadline
      ) {
        // Other work on the box took CPU during this step (passed or not): measure it again.
        retriesLeft--;
        log(
          `${target.id} ${rate}/s ${step.pass ? "passed" : "failed"} while other work used ${otherCpu}% of a core (${step.verdict}); re-running it once`,
        );
        await sleep(2_000);
        const first = step;
        step = await runStep(target, conns, rate, `${rate}r`, stepOpts, cpu);
        step.retriedAfter = {
          verdict: first.verdict,
          otherCpuPct: otherCpu,
          ackP99: first.ack.p99,
          deliveryP99: first.delivery.p99,
        };
      }
      result.steps.push(step);
      log(
        `${target.id} ${String(rate).padStart(5)}/s: ack p50 ${step.ack.p50} p99 ${step.ack.p99} p99.9 ${step.ack.p999} ms · ` +
          `delivery p50 ${step.delivery.p50} p99 ${step.delivery.p99} ms · achieved ${round(step.achievedRatio * 100, 1)}% · ` +
          `errors ${round(step.errorRate * 100, 2)}% · send lag p99 ${step.sendLag.p99} ms · ` +
          `machine CPU ${step.cpu.machineBusyPct}% · ${step.verdict}`,
      );
      const next = ladder.next(rate, step.pass);
      if (next === null)
        result.stoppedBy =
          ladder.firstFail !== null ? "failed" : SETTINGS.ladder ? "max rate" : "steps";
      rate = next;
    }
    result.maxSustainedRate = ladder.lastPass;
    result.firstFailedRate = ladder.firstFail;
    // Where node 1's CPU goes at a fixed rate: one more step with its profiler on.
    if (
      target.id === "relay-same" &&
      env.BENCH_PROFILE_INSPECTOR &&
      env.BENCH_PROFILE_OUT &&
      performance.now() + (SETTINGS.profileSeconds + 8) * 1000 < deadline
    ) {
      result.profile = await profileStep(target, conns, cpu);
    }
  } finally {
    result.disconnects = disconnects;
    for (const c of conns) {
      c.sender.removeAllListeners("disconnect");
      c.recipient.removeAllListeners("disconnect");
      c.sender.close();
      c.recipient.close();
    }
  }
  return result;
}

const PROFILE_LEAD_MS = SETTINGS.profileLeadMs;

/** The profile without its first `skipUs` (samples, and the start time moved). */
function trimProfile(p: TCpuProfile, skipUs: number): TCpuProfile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < skipUs) continue;
    samples.push(p.samples[i]!);
    timeDeltas.push(samples.length === 1 ? t - skipUs : (p.timeDeltas[i] ?? 0));
  }
  return { ...p, startTime: p.startTime + skipUs, samples, timeDeltas };
}

/** One step at SETTINGS.profileRate with node 1's V8 sampling profiler on; writes the .cpuprofile. */
async function profileStep(
  target: TargetSpec,
  conns: Conn[],
  cpu: ReturnType<typeof createCpuSampler>,
): Promise<TTargetResult["profile"]> {
  const file = env.BENCH_PROFILE_OUT!;
  try {
    const inspector = await openInspector(env.BENCH_PROFILE_INSPECTOR!);
    try {
      // Starting V8's profiler stalls the process for a few hundred ms (it logs
      // every compiled function): start it first, with the node idle, and cut
      // that second off the profile, so neither the step nor the flame graph has it.
      await inspector.startProfile(SETTINGS.profileIntervalUs);
      await sleep(PROFILE_LEAD_MS);
      const rate = SETTINGS.profileRate;
      const step = await runStep(
        target,
        conns,
        rate,
        "prof",
        { warmupS: 1, measureS: SETTINGS.profileSeconds, record: true },
        cpu,
      );
      const profile = trimProfile(await inspector.stopProfile(), PROFILE_LEAD_MS * 1000);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      log(
        `${target.id}: CPU profile of node 1 at ${rate}/s (${SETTINGS.profileSeconds} s) → ${path.basename(file)}; ack p99 with the profiler on ${step.ack.p99} ms`,
      );
      return { rate, seconds: SETTINGS.profileSeconds + 1, file: path.basename(file), step };
    } finally {
      inspector.close();
    }
  } catch (err) {
    log(`CPU profile failed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

// ---------------------------------------------------------------- setup / main

async function main() {
  const t0 = performance.now();
  const budgetS = num(env.BENCH_BUDGET_S, 270);
  const deadline = t0 + budgetS * 1000;
  const [node1, node2] = required("BENCH_RELAY_URLS").split(",");
  const baselineUrl = required("BENCH_BASELINE_URL");
  const baselineCassandraUrl = env.BENCH_BASELINE_CASSANDRA_URL ?? "";
  const out = required("BENCH_OUT");
  if (!node1 || !node2) throw new Error("BENCH_RELAY_URLS must list two node URLs");
  const [metrics1, metrics2] = required("BENCH_RELAY_METRICS_URLS").split(",");
  if (!metrics1 || !metrics2)
    throw new Error("BENCH_RELAY_METRICS_URLS must list the two nodes' internal URLs");
  metricsUrlOf.set(node1, metrics1).set(node2, metrics2);
  const pids = JSON.parse(env.BENCH_PIDS ?? "{}") as Record<string, number>;
  const cpu = createCpuSampler(pids);

  const allTargets: TargetSpec[] = [
    {
      id: "baseline",
      scenario: "A (baseline)",
      description: "raw Socket.IO server, same wire traffic, no stores",
      senderUrl: baselineUrl,
      recipientUrl: baselineUrl,
      relay: false,
    },
    {
      id: "baseline-cassandra",
      scenario: "A (durable baseline)",
      description:
        "raw Socket.IO server + one Cassandra INSERT (prepared, LOCAL_QUORUM) per message before the ack",
      senderUrl: baselineCassandraUrl,
      recipientUrl: baselineCassandraUrl,
      relay: false,
    },
    {
      id: "relay-same",
      scenario: "A, B (same node)",
      description: "Relay: sender and recipient on node 1",
      senderUrl: node1,
      recipientUrl: node1,
      relay: true,
    },
    {
      id: "relay-cross",
      scenario: "B (cross node)",
      description: "Relay: sender on node 1, recipient on node 2 (Redis adapter)",
      senderUrl: node1,
      recipientUrl: node2,
      relay: true,
    },
  ];
  const targets = SETTINGS.targets
    .map((id) => allTargets.find((t) => t.id === id))
    .filter((t): t is TargetSpec => t !== undefined && t.senderUrl !== "");
  // Relay's per-user send limit: round-robin over the senders keeps each far below it
  // at every rate Relay can sustain here (the baselines have no limit).
  const relayCeiling = LIMITS.sendRatePerSecond * 0.6 * SETTINGS.pairs;
  log(
    `${SETTINGS.pairs} senders: Relay's ${LIMITS.sendRatePerSecond}/s per-user limit binds above ~${relayCeiling} msg/s`,
  );

  const stores = openBenchStores();
  const { db } = stores;
  const tokens = createTokenService({ jwtSecret: required("JWT_SECRET") });
  const runId = randomUUID().slice(0, 8);
  const userIds = Array.from({ length: SETTINGS.pairs * 2 }, () => randomUUID());
  const pairs: Pair[] = [];
  let anatomy: TAnatomyOp[] = [];
  let background: TCpuUsage | null = null;
  const targetResults: TTargetResult[] = [];
  try {
    log(`creating ${userIds.length} users and ${SETTINGS.pairs} DM conversations in Postgres…`);
    await db.user.createMany({
      data: userIds.map((id, i) => ({
        id,
        email: `bench-${runId}-${i}@bench.relay`,
        name: `Bench ${i}`,
      })),
    });
    for (let i = 0; i < SETTINGS.pairs; i++) {
      const a = userIds[2 * i]!;
      const b = userIds[2 * i + 1]!;
      const sign = (userId: string) =>
        tokens.signAccess({ userId, role: "USER", sessionId: randomUUID() });
      pairs.push({
        conversationId: randomUUID(),
        sender: { id: a, token: await sign(a) },
        recipient: { id: b, token: await sign(b) },
      });
    }
    await db.conversation.createMany({
      data: pairs.map((p) => ({
        id: p.conversationId,
        type: "DIRECT" as const,
        directKey: [p.sender.id, p.recipient.id].sort().join(":"),
        createdById: p.sender.id,
      })),
    });
    await db.membership.createMany({
      data: pairs.flatMap((p) => [
        { conversationId: p.conversationId, userId: p.sender.id, role: "OWNER" as const },
        { conversationId: p.conversationId, userId: p.recipient.id, role: "MEMBER" as const },
      ]),
    });

    log("store operations alone (closed loop, one at a time)…");
    anatomy = await measureAnatomy({
      conversationId: pairs[0]!.conversationId,
      userId: pairs[0]!.sender.id,
    });
    for (const a of anatomy)
      log(`  ${a.op.padEnd(48)} p50 ${a.latency.p50} ms  p99 ${a.latency.p99} ms`);

    // How busy the machine is with the servers idle (other work on the box skews
    // every number): wait, bounded, for a quiet 2 s window.
    const quietUntil = performance.now() + QUIET_WAIT_MAX_S * 1000;
    for (;;) {
      const idleBefore = cpu.sample();
      await sleep(2_000);
      background = cpu.diff(idleBefore, cpu.sample(), os.cpus().length);
      if (background.machineBusyPct <= QUIET_BUSY_PCT || performance.now() > quietUntil) break;
    }
    log(
      `machine busy with the servers idle: ${background.machineBusyPct}% of ${background.cores} cores`,
    );
    if (background.machineBusyPct > QUIET_BUSY_PCT)
      log("warning: the machine is busy with other work; results will be noisy");

    for (let i = 0; i < targets.length; i++) {
      // Later targets are guaranteed RESERVE_PER_TARGET_S each; this one may use the rest.
      const reserve = (targets.length - 1 - i) * RESERVE_PER_TARGET_S * 1000;
      const target = targets[i]!;
      targetResults.push(await runTarget(target, pairs, cpu, deadline - reserve));
      await sleep(1_000);
    }
  } finally {
    await cleanup(stores, pairs, userIds).catch((err: unknown) =>
      log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    await stores.close();
  }

  const result = {
    benchmark: "messaging",
    settings: SETTINGS,
    loadGenerator: {
      process: "one Node process, socket.io-client over WebSocket, 2 sockets per pair",
      schedule: "open loop: fixed-rate schedule, latency from the scheduled send time",
      histogram: "hdr-histogram-js, µs, 3 significant digits",
    },
    anatomy,
    backgroundCpu: background,
    targets: targetResults,
    generatorWallS: round((performance.now() - t0) / 1000, 1),
  };
  writeFileSync(out, JSON.stringify(result, null, 2));
}

/** Remove the bench users/conversations from Postgres and their Redis keys (messages stay in Cassandra). */
async function cleanup(stores: Stores, pairs: Pair[], userIds: string[]) {
  const { db, redis, keys, redisPrefix } = stores;
  const convIds = pairs.map((p) => p.conversationId);
  if (convIds.length) await db.conversation.deleteMany({ where: { id: { in: convIds } } });
  if (userIds.length) await db.user.deleteMany({ where: { id: { in: userIds } } });
  if (!convIds.length) return;
  const direct = [
    ...convIds.flatMap((c) => [keys.members(c), keys.seq(c)]),
    ...userIds.map((u) => `${keys.rateLimit("send")}:${u}`),
  ];
  for (let i = 0; i < direct.length; i += 500) await redis.del(...direct.slice(i, i + 500));
  // Dedup records (24 h TTL): one bounded SCAN over this prefix's conversation keys.
  const wanted = new Set(convIds);
  let cursor = "0";
  let rounds = 0;
  const until = performance.now() + 10_000;
  do {
    const [next, found] = await redis.scan(
      cursor,
      "MATCH",
      `${redisPrefix}conv:*:dedup:*`,
      "COUNT",
      2000,
    );
    cursor = next;
    const mine = found.filter((k) => wanted.has(/conv:\{([^}]+)\}/.exec(k)?.[1] ?? ""));
    if (mine.length) await redis.unlink(...mine);
  } while (cursor !== "0" && ++rounds < 5_000 && performance.now() < until);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `[bench] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
