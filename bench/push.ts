// The push pipeline's benchmark, in one run (docs/benchmarks.md "Push"):
//
// 1. Send-path overhead: two realtime nodes on the same stores, one with push
//    on (the default: each stored message's fan-out job is added before the
//    ack) and one with PUSH_ENABLED=false. The same open-loop load is sent to
//    both at once (interleaved, same machine, same moment), every message to
//    a conversation whose other member is offline with a device, so push-on
//    really enqueues. We compare message:send ack latency.
// 2. Worker throughput: the jobs phase 1 queued (one per message: fan-out,
//    then one delivery to FCM or APNs) are drained by ONE worker process
//    against the local stand-ins (firebase-admin and apns2 over TLS/HTTP2).
//    pushes/s = accepted pushes / (last − first arrival).
//
// Writes bench/results/push-<time>.json, latest-push.json and the section
// between the bench:push markers in docs/benchmarks.md.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";
import { createTokenService } from "@relay/core";
import { startPushStandins } from "@relay/push-standins";
import { ROOT, runInfo, runLabel, writeDocSection, writeResult, type TRunInfo } from "./results";
import { newHistogram, recordMs, summarize, type TLatencySummary } from "./stats";
import { openBenchStores } from "./stores";

const env = process.env;
/** Senders per mode (each mode has its own: the send rate limit is per user, across nodes). */
const SENDERS = Number(env.BENCH_PUSH_SENDERS ?? 20);
/** Messages per second per mode (push on / off); each sender stays under its 10/s limit. */
const RATE = Number(env.BENCH_PUSH_RATE ?? 100);
const DURATION_S = Number(env.BENCH_PUSH_DURATION_S ?? 20);
const CONCURRENCY = Number(env.BENCH_PUSH_CONCURRENCY ?? 32);
/** Sends per mode before measuring (module loading, pools, JIT). */
const WARMUP = 40;
const log = (m: string) => process.stdout.write(`[push-bench] ${m}\n`);
const SECTION = { name: "push", by: "bench/push.ts", heading: "Push" };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** A child process through tsx; resolves once its log says `ready`. */
async function spawnApp(
  entry: string,
  extra: Record<string, string>,
  ready: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: { ...env, LOG_LEVEL: "info", LOG_FORMAT: "json", ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.length > 100_000) out = out.slice(-50_000);
      if (out.includes(`"msg":"${ready}"`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${entry} exited (${code}):\n${out}`)));
  });
  return child;
}

const stop = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once("exit", () => resolve());
    c.kill("SIGTERM");
  });

type TAck = { ok: boolean; error?: { code: string; message: string } };

async function main() {
  const startedAt = new Date();
  const t0 = performance.now();
  const prefix = `${env.REDIS_PREFIX ?? "relay:test:"}pushbench-${Date.now().toString(36)}:`;
  const stores = openBenchStores({ REDIS_PREFIX: prefix });
  const standins = await startPushStandins();
  const children: ChildProcess[] = [];
  try {
    // ------------------------------------------------------------ fixtures
    const measured = RATE * DURATION_S;
    const perMode = WARMUP + measured;
    log(`fixtures: ${2 * SENDERS} senders, ${2 * perMode} offline recipients with a device each…`);
    const senders = Array.from({ length: 2 * SENDERS }, () => randomUUID());
    const recipients = Array.from({ length: 2 * perMode }, () => randomUUID());
    const users = [...senders, ...recipients];
    for (let i = 0; i < users.length; i += 5000)
      await stores.db.user.createMany({
        data: users
          .slice(i, i + 5000)
          .map((id, k) => ({ id, email: `pb-${id}@bench.relay`, name: `Bench ${i + k}` })),
      });
    const convs = recipients.map(() => randomUUID());
    // Conversation j (j counts across both modes) belongs to a sender of its mode.
    const senderOf = (j: number) => senders[(j < perMode ? 0 : SENDERS) + (j % SENDERS)]!;
    await stores.db.conversation.createMany({
      data: convs.map((id) => ({ id, type: "GROUP" as const, title: "bench" })),
    });
    await stores.db.membership.createMany({
      data: convs.flatMap((conversationId, i) => [
        { conversationId, userId: senderOf(i), role: "OWNER" as const },
        { conversationId, userId: recipients[i]!, role: "MEMBER" as const },
      ]),
    });
    const hex = () => randomUUID().replaceAll("-", "") + randomUUID().replaceAll("-", "");
    await stores.db.device.createMany({
      data: recipients.map((userId, i) => ({
        userId,
        platform: i % 2 ? ("APNS" as const) : ("FCM" as const),
        token: i % 2 ? hex() : `fcm-${randomUUID()}`,
      })),
    });

    // --------------------------------------------------- phase 1: ack latency
    const [portOn, portOff] = [await freePort(), await freePort()];
    log("starting two realtime nodes (push on / push off)…");
    children.push(
      await spawnApp(
        "apps/realtime/src/index.ts",
        { REDIS_PREFIX: prefix, REALTIME_PORT: String(portOn), NODE_ID: "bench-push-on" },
        "listening",
      ),
      await spawnApp(
        "apps/realtime/src/index.ts",
        {
          REDIS_PREFIX: prefix,
          REALTIME_PORT: String(portOff),
          NODE_ID: "bench-push-off",
          PUSH_ENABLED: "false",
        },
        "listening",
      ),
    );
    const tokens = createTokenService({ jwtSecret: env.JWT_SECRET! });
    const connectTo = async (port: number, userId: string): Promise<Socket> => {
      const token = await tokens.signAccess({ userId, role: "USER", sessionId: randomUUID() });
      const s = io(`http://127.0.0.1:${port}`, {
        auth: { token },
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
      });
      await new Promise<void>((resolve, reject) => {
        s.once("connect", () => resolve());
        s.once("connect_error", reject);
      });
      return s;
    };
    const sockets = {
      on: await Promise.all(senders.slice(0, SENDERS).map((u) => connectTo(portOn, u))),
      off: await Promise.all(senders.slice(SENDERS).map((u) => connectTo(portOff, u))),
    };
    const hist = { on: newHistogram(), off: newHistogram() };
    const failures = { on: 0, off: 0 };
    const convOf = { on: convs.slice(0, perMode), off: convs.slice(perMode) };
    const send = async (mode: "on" | "off", i: number) => {
      const socket = sockets[mode][(mode === "on" ? i : perMode + i) % SENDERS]!;
      const s = performance.now();
      const ack = (await socket.timeout(10_000).emitWithAck("message:send", {
        conversationId: convOf[mode][i]!,
        clientMsgId: randomUUID(),
        body: `bench message ${i}`,
      })) as TAck;
      if (ack.ok) {
        if (i >= WARMUP) recordMs(hist[mode], performance.now() - s);
      } else {
        if (failures[mode]++ === 0)
          log(`push ${mode}: first failed send: ${JSON.stringify(ack.error)}`);
      }
    };
    // Warm the member-list cache every node reads on a send (shared in Redis), so
    // both modes measure the steady state, not one cold Postgres read per message.
    log(`warming caches, then ${perMode} sends per mode at ${RATE}/s each, interleaved…`);
    for (let i = 0; i < convs.length; i += 200)
      await Promise.all(convs.slice(i, i + 200).map((id) => stores.membership.get(id)));
    const pending: Promise<void>[] = [];
    const intervalMs = 1000 / RATE;
    const loadStart = performance.now();
    for (let i = 0; i < perMode; i++) {
      const due = loadStart + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      // Alternate which mode goes first, so neither always pays for the other.
      const order: Array<"on" | "off"> = i % 2 ? ["on", "off"] : ["off", "on"];
      for (const mode of order) pending.push(send(mode, i).catch(() => void failures[mode]++));
    }
    await Promise.all(pending);
    const loadS = (performance.now() - loadStart) / 1000;
    for (const list of Object.values(sockets)) for (const s of list) s.close();
    const ack = { on: summarize(hist.on), off: summarize(hist.off) };
    log(`ack p50/p99 push on ${ack.on.p50}/${ack.on.p99} ms, off ${ack.off.p50}/${ack.off.p99} ms`);

    // ------------------------------------------- phase 2: worker throughput
    for (const c of children.splice(0)) await stop(c);
    const queuedBefore = await stores.push.stats();
    log(
      `${queuedBefore.waiting} fan-out jobs queued; starting one worker (concurrency ${CONCURRENCY})…`,
    );
    const expected = perMode - failures.on;
    const accepted: number[] = [];
    const onRequest = (r: { status: number }) => {
      if (r.status === 200) accepted.push(performance.now());
    };
    standins.fcm.recorder.on("request", onRequest);
    standins.apns.recorder.on("request", onRequest);
    const metricsPort = await freePort();
    const workerStart = performance.now();
    const worker = await spawnApp(
      "apps/push/src/index.ts",
      {
        ...standins.env,
        REDIS_PREFIX: prefix,
        PUSH_METRICS_PORT: String(metricsPort),
        PUSH_CONCURRENCY: String(CONCURRENCY),
        LOG_LEVEL: "info",
      },
      "push worker started",
    );
    children.push(worker);
    const deadline = performance.now() + 180_000;
    while (accepted.length < expected && performance.now() < deadline) await sleep(50);
    const first = accepted[0] ?? workerStart;
    const last = accepted.at(-1) ?? first;
    const drainS = (last - first) / 1000;
    const pushesPerS = accepted.length > 1 ? Math.round((accepted.length - 1) / drainS) : 0;
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const sendSeconds = metricSum(metrics, "relay_push_send_duration_seconds_sum");
    const sendCount = metricSum(metrics, "relay_push_send_duration_seconds_count");
    log(`${accepted.length}/${expected} pushes in ${drainS.toFixed(2)} s: ${pushesPerS} pushes/s`);

    const result = {
      ...runInfo(startedAt, t0),
      sendPath: {
        senders: SENDERS,
        ratePerMode: RATE,
        sendsPerMode: measured,
        warmupPerMode: WARMUP,
        loadS: Math.round(loadS * 10) / 10,
        failures,
        ackOn: ack.on,
        ackOff: ack.off,
        p99OverheadMs: Math.round((ack.on.p99 - ack.off.p99) * 1000) / 1000,
        p50OverheadMs: Math.round((ack.on.p50 - ack.off.p50) * 1000) / 1000,
      },
      worker: {
        concurrency: CONCURRENCY,
        jobsQueued: queuedBefore.waiting,
        pushes: accepted.length,
        expected,
        drainS: Math.round(drainS * 100) / 100,
        pushesPerS,
        meanProviderRequestMs: sendCount ? Math.round((sendSeconds / sendCount) * 1e5) / 100 : 0,
        startupS: Math.round(((first - workerStart) / 1000) * 10) / 10,
      },
    };
    const file = writeResult("push", result);
    await writeDocSection(SECTION, render(result, file));
    log(`results: bench/results/${file}; section "Push" in docs/benchmarks.md`);
  } finally {
    for (const c of children) await stop(c);
    await standins.close();
    // The benchmark's own queue and keys (a prefix of its own).
    const keys = await stores.redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) await stores.redis.del(...keys.slice(i, i + 500));
    await stores.close();
  }
}

/** Sum of every sample of a metric in Prometheus text format. */
function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n"))
    if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(" ") + 1)) || 0;
  return sum;
}

type TResult = TRunInfo & {
  sendPath: {
    senders: number;
    ratePerMode: number;
    sendsPerMode: number;
    failures: { on: number; off: number };
    ackOn: TLatencySummary;
    ackOff: TLatencySummary;
    p99OverheadMs: number;
    p50OverheadMs: number;
  };
  worker: {
    concurrency: number;
    jobsQueued: number;
    pushes: number;
    expected: number;
    drainS: number;
    pushesPerS: number;
    meanProviderRequestMs: number;
  };
};

function render(r: TResult, file: string): string {
  const s = r.sendPath;
  const w = r.worker;
  const row = (name: string, l: TLatencySummary) =>
    `| ${name} | ${l.count} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.p999} | ${l.max} |`;
  return [
    `${runLabel(r)}, ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.totalMemGiB} GiB, Node ${r.node}; \`bench/results/${file}\`. One machine runs everything: Postgres, Redis, Cassandra, two realtime nodes, the load generator, the stand-ins and the worker.`,
    "",
    `**Send path**: ${s.sendsPerMode} measured \`message:send\` per mode (after ${WARMUP} warm-up sends) at ${s.ratePerMode}/s each (open loop, ${s.senders} senders per mode), interleaved in time between a node with push on and one with \`PUSH_ENABLED=false\`; every message goes to a conversation whose other member is offline with a device. Ack latency in ms:`,
    "",
    "| mode | acks | p50 | p90 | p99 | p99.9 | max |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    row("push on (fan-out job added before the ack)", s.ackOn),
    row("push off", s.ackOff),
    "",
    `Overhead of push on: p50 ${signed(s.p50OverheadMs)} ms, p99 ${signed(s.p99OverheadMs)} ms (failed sends: on ${s.failures.on}, off ${s.failures.off}). The job is added at the same time as the Cassandra write, so the ack waits for the slower of the two, not their sum.`,
    "",
    `**Worker**: one worker process (concurrency ${w.concurrency}) drains the ${w.jobsQueued} fan-out jobs the push-on node queued: each becomes one delivery (half FCM through firebase-admin, half APNs through apns2, to the local TLS stand-ins), with every pre-send re-check (message, read mark, presence, device) and the badge computed. **${w.pushesPerS} pushes/s** (${w.pushes}/${w.expected} accepted in ${w.drainS} s, first to last arrival); mean provider request ${w.meanProviderRequestMs} ms. Against real FCM/APNs the request time is network-bound, so throughput per worker scales with \`PUSH_CONCURRENCY\` and the number of workers.`,
  ].join("\n");
}

const signed = (n: number) => (n >= 0 ? `+${n}` : String(n));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `[push-bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
