// S6 — reconnect storm (docs/benchmarks.md "Reconnect storm"): 10,000 clients
// on one Relay node that is SIGKILLed; they reconnect to the two surviving
// nodes and catch up (`sync` + `message:history`, docs/protocol.md "Reconnect
// and catch-up", bench/reconnect-clients.ts), while messages keep being sent
// to their conversations. Reported: time from the kill until each client is
// reconnected and until it is caught up (p50/p99), and lost messages: every
// message acknowledged to its sender must be held by every member at the end,
// and every message acknowledged before a member's `sync` went out must be
// held once that member's catch-up finished.
//
// Fixtures (Postgres, removed at the end): V victims in groups of
// `groupSize`, each group with one sender (S senders, each in V / groupSize / S
// groups); senders' sockets are on the surviving nodes; the victims' sockets
// are on node A, held by client processes (each its own 127.x.y.z sources).
// Load: open loop, `rate` msg/s round-robin over the groups, from `preS`
// before the kill until every victim is caught up (+ `tailS`), bounded.
//
// Writes bench/results/reconnect-<time>.json, latest-reconnect.json and the
// "Reconnect storm" section of docs/benchmarks.md.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";
import { createTokenService } from "@relay/core";
import {
  listenDrops,
  log as logFor,
  startRelayNode,
  startWorker,
  stopAll,
  stopProc,
  type Proc,
  type Worker,
} from "./procs";
import { createCpuSampler, type TCpuUsage } from "./procstat";
import { RECONNECT_SECTION, renderReconnect } from "./report.mjs";
import { runInfo, writeDocSection, writeResult } from "./results";
import { envNumber, newHistogram, recordMs, round, summarize } from "./stats";
import { openBenchStores, unlinkMatching } from "./stores";

const env = process.env;
const num = envNumber;
const log = logFor("s6");

const SETTINGS = {
  victims: num(env.BENCH_S6_CLIENTS, 10_000),
  groupSize: 10,
  senders: 100,
  clientProcesses: 2,
  concurrency: 100,
  /** Messages per second over the groups (each sender far below its 10/s limit). */
  rate: num(env.BENCH_S6_RATE, 200),
  preS: 3,
  /** After every victim is caught up, keep sending this long (live delivery on the new nodes). */
  tailS: 2,
  /** Give up waiting for the storm to settle after this long. */
  maxStormS: num(env.BENCH_S6_MAX_S, 60),
  drainS: 3,
  /** Bench-only experiment: the surviving nodes listen with this backlog (0: Node's default 511). */
  listenBacklog: num(env.BENCH_S6_BACKLOG, 0),
};

interface TVictimReport {
  userId: string;
  conversationId: string;
  phase: string;
  disconnectAt: number;
  attemptAt: number;
  connectAt: number;
  syncAt: number;
  caughtUpAt: number;
  attempts: number;
  syncMark: number;
  pages: number;
  errors: number;
  laterDrops: number;
  held: Array<[number, number, number]>;
}

interface TAcked {
  conversationId: string;
  seq: number;
  ackAt: number;
  scheduledAt: number;
}

const wall = () => performance.timeOrigin + performance.now();

/**
 * Percentiles over a whole population of which only `values.length` got
 * there (the rest had not by the bound): p is known when p × population ≤
 * values.length, else null ("later than the bound").
 */
export interface TPopulationSummary {
  population: number;
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}
function populationSummary(values: number[], population: number): TPopulationSummary {
  const v = [...values].sort((x, y) => x - y);
  const at = (p: number) => {
    const i = Math.ceil(p * population) - 1;
    return i < v.length ? Math.round(v[Math.max(0, i)]!) : null;
  };
  return {
    population,
    count: v.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: v.length === population ? Math.round(v.at(-1) ?? 0) : null,
  };
}

const connect = (url: string, token: string) =>
  new Promise<Socket>((resolve, reject) => {
    const s = io(url, {
      auth: { token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    s.once("connect", () => resolve(s));
    s.once("connect_error", (e) => {
      s.close();
      reject(e);
    });
  });

async function main() {
  const startedAt = new Date();
  const t0 = performance.now();
  const s = SETTINGS;
  const prefix = `${env.REDIS_PREFIX ?? "relay:test:"}bench-s6:`;
  const stores = openBenchStores({ REDIS_PREFIX: prefix });
  const { db } = stores;
  const runId = randomUUID().slice(0, 8);
  const groups = Math.ceil(s.victims / s.groupSize);
  const victimIds = Array.from({ length: s.victims }, () => randomUUID());
  const senderIds = Array.from({ length: s.senders }, () => randomUUID());
  const groupIds = Array.from({ length: groups }, () => randomUUID());
  const senderOf = (g: number) => g % s.senders;
  const workers: Worker[] = [];
  const senderSockets: Socket[] = [];
  let nodes: Proc[] = [];
  let result: Record<string, unknown> | null = null;
  try {
    log(
      `fixtures: ${s.victims} victims in ${groups} groups of ${s.groupSize} + 1 sender (${s.senders} senders)…`,
    );
    const users = [...victimIds, ...senderIds];
    for (let i = 0; i < users.length; i += 5000)
      await db.user.createMany({
        data: users.slice(i, i + 5000).map((id, k) => ({
          id,
          email: `s6-${runId}-${i + k}@bench.relay`,
          name: `Storm ${i + k}`,
        })),
      });
    await db.conversation.createMany({
      data: groupIds.map((id, g) => ({
        id,
        type: "GROUP" as const,
        title: `storm ${g}`,
        createdById: senderIds[senderOf(g)]!,
      })),
    });
    const memberships = groupIds.flatMap((conversationId, g) => [
      { conversationId, userId: senderIds[senderOf(g)]!, role: "OWNER" as const },
      ...victimIds
        .slice(g * s.groupSize, (g + 1) * s.groupSize)
        .map((userId) => ({ conversationId, userId, role: "MEMBER" as const })),
    ]);
    for (let i = 0; i < memberships.length; i += 5000)
      await db.membership.createMany({ data: memberships.slice(i, i + 5000) });

    nodes = [];
    for (let n = 1; n <= 3; n++)
      nodes.push(
        await startRelayNode({
          n,
          redisPrefix: prefix,
          ...(s.listenBacklog && n > 1 ? { listenBacklog: s.listenBacklog } : {}),
        }),
      );
    const [a, b, c] = nodes as [Proc, Proc, Proc];
    const tokens = createTokenService({ jwtSecret: env.JWT_SECRET! });
    const sign = (userId: string) =>
      tokens.signAccess({ userId, role: "USER", sessionId: randomUUID() }, 3600);

    log(`senders → nodes B and C…`);
    for (let j = 0; j < s.senders; j++)
      senderSockets.push(await connect((j % 2 ? c : b).url, await sign(senderIds[j]!)));

    log(`victims → node A (${s.clientProcesses} client processes)…`);
    const victimsIn: Array<{ userId: string; token: string; conversationId: string }> = [];
    for (let i = 0; i < s.victims; i++)
      victimsIn.push({
        userId: victimIds[i]!,
        token: await sign(victimIds[i]!),
        conversationId: groupIds[Math.floor(i / s.groupSize)]!,
      });
    const per = Math.ceil(s.victims / s.clientProcesses);
    for (let w = 0; w < s.clientProcesses; w++)
      workers.push(await startWorker(`s6-clients-${w}`, "bench/reconnect-clients.ts"));
    const tc = performance.now();
    const setups = await Promise.all(
      workers.map((w, i) =>
        w.request<{ ok: number; failed: number }>(
          {
            type: "setup",
            victims: victimsIn.slice(i * per, (i + 1) * per),
            url: a.url,
            survivors: [b.url, c.url],
            localAddresses: [1, 2, 3, 4].map((k) => `127.21.${i + 1}.${k}`),
            concurrency: s.concurrency,
          },
          "connected",
          300_000,
        ),
      ),
    );
    const connectedVictims = setups.reduce((x, r) => x + r.ok, 0);
    log(
      `${connectedVictims} victims on node A in ${round((performance.now() - tc) / 1000)} s (${setups.reduce((x, r) => x + r.failed, 0)} failed)`,
    );
    await sleep(2_000);

    // ---- load: open loop over the groups, through the senders (on B and C)
    const acked: TAcked[] = [];
    let sendErrors = 0;
    let sent = 0;
    let stopSending = false;
    const ackH = newHistogram();
    const loadStart = performance.now() + 20;
    const loop = (async () => {
      for (let k = 0; !stopSending; k++) {
        const due = loadStart + (k * 1000) / s.rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const g = k % groups;
        const scheduledAt = performance.timeOrigin + due;
        sent++;
        senderSockets[senderOf(g)]!.timeout(30_000).emit(
          "message:send",
          {
            conversationId: groupIds[g]!,
            clientMsgId: `s6-${k}`,
            body: `storm message ${k}`,
          },
          (err: Error | null, res?: { ok: boolean; data?: { seq: number } }) => {
            if (err || !res?.ok || !res.data) {
              sendErrors++;
              return;
            }
            const at = wall();
            recordMs(ackH, at - scheduledAt);
            acked.push({ conversationId: groupIds[g]!, seq: res.data.seq, ackAt: at, scheduledAt });
          },
        );
      }
    })();
    await sleep(s.preS * 1000);

    // ---- the kill
    const cpuPids: Record<string, number> = { "relay-B": b.pid, "relay-C": c.pid };
    workers.forEach((w, i) => (cpuPids[`clients-${i}`] = w.pid));
    const cpu = createCpuSampler(cpuPids);
    const cpu0 = cpu.sample();
    const drops0 = listenDrops();
    const killAt = wall();
    a.child.kill("SIGKILL");
    log(`node A SIGKILLed; ${s.rate} msg/s keep going to the victims' groups…`);
    const stormUntil = performance.now() + s.maxStormS * 1000;
    let progress = { disconnected: 0, connected: 0, caughtUp: 0, failed: 0 };
    let settledAt = 0;
    for (;;) {
      await sleep(500);
      const ps = await Promise.all(
        workers.map((w) => w.request<typeof progress>({ type: "progress" }, "progress", 30_000)),
      );
      progress = {
        disconnected: ps.reduce((x, p) => x + p.disconnected, 0),
        connected: ps.reduce((x, p) => x + p.connected, 0),
        caughtUp: ps.reduce((x, p) => x + p.caughtUp, 0),
        failed: ps.reduce((x, p) => x + p.failed, 0),
      };
      if (progress.caughtUp + progress.failed >= connectedVictims && !settledAt) {
        settledAt = wall();
        log(`all victims settled after ${round((settledAt - killAt) / 1000)} s`);
      }
      if (settledAt && wall() - settledAt > s.tailS * 1000) break;
      if (performance.now() > stormUntil) {
        log(`storm bound hit: ${JSON.stringify(progress)}`);
        break;
      }
    }
    const stormCpu: TCpuUsage = cpu.diff(cpu0, cpu.sample(), os.cpus().length);
    const drops1 = listenDrops();
    const listenOverflows = drops0 && drops1 ? drops1.overflows - drops0.overflows : null;
    stopSending = true;
    await loop;
    await sleep(s.drainS * 1000);
    const replies = await Promise.all(
      workers.map((w) =>
        w.request<{ victims: TVictimReport[]; errorCodes: Record<string, number> }>(
          { type: "report" },
          "report",
          60_000,
        ),
      ),
    );
    const reports = replies.flatMap((r) => r.victims);
    const syncErrorCodes: Record<string, number> = {};
    for (const r of replies)
      for (const [k, n] of Object.entries(r.errorCodes ?? {}))
        syncErrorCodes[k] = (syncErrorCodes[k] ?? 0) + n;

    // ---- what arrived
    const byConv = new Map<string, TAcked[]>();
    for (const m of acked)
      byConv.set(m.conversationId, [...(byConv.get(m.conversationId) ?? []), m]);
    let lost = 0;
    let lostAtCatchUp = 0;
    let checked = 0;
    let unverified = 0;
    let laterDrops = 0;
    const via = [0, 0, 0];
    let ackedBeforeKill = 0;
    for (const m of acked) if (m.ackAt < killAt) ackedBeforeKill++;
    const lostSamples: string[] = [];
    const disconnectH = newHistogram();
    const reconnectH = newHistogram();
    const handshakeH = newHistogram();
    const caughtUpH = newHistogram();
    const afterConnectH = newHistogram();
    const reconnectMs: number[] = [];
    const caughtUpMs: number[] = [];
    let notCaughtUp = 0;
    let attempts = 0;
    let pages = 0;
    let syncErrors = 0;
    for (const v of reports) {
      attempts += v.attempts;
      pages += v.pages;
      syncErrors += v.errors;
      if (v.disconnectAt) recordMs(disconnectH, v.disconnectAt - killAt);
      if (v.connectAt) recordMs(reconnectH, v.connectAt - killAt);
      if (v.connectAt) reconnectMs.push(v.connectAt - killAt);
      if (v.caughtUpAt) caughtUpMs.push(v.caughtUpAt - killAt);
      if (v.connectAt) recordMs(handshakeH, v.connectAt - v.attemptAt);
      if (v.caughtUpAt) {
        recordMs(caughtUpH, v.caughtUpAt - killAt);
        recordMs(afterConnectH, v.caughtUpAt - v.connectAt);
      } else notCaughtUp++;
      const held = new Map(v.held.map(([seq, how, at]) => [seq, { how, at }]));
      for (const [, how] of v.held) via[how]! += 1;
      const mine = byConv.get(v.conversationId) ?? [];
      laterDrops += v.laterDrops;
      // A client still (re)connecting at the end proves nothing either way.
      if (!v.caughtUpAt || v.phase !== "caughtUp") {
        unverified += mine.length;
        continue;
      }
      for (const m of mine) {
        checked++;
        const h = held.get(m.seq);
        if (!h) {
          lost++;
          if (lostSamples.length < 5)
            lostSamples.push(
              `${v.userId.slice(0, 8)} ${m.conversationId.slice(0, 8)} seq ${m.seq}`,
            );
          continue;
        }
        // Acked before this victim's sync went out: the catch-up must have found it.
        if (m.ackAt < v.syncAt && h.at > v.caughtUpAt + 1) lostAtCatchUp++;
      }
    }
    const summary = {
      victims: s.victims,
      connectedBeforeKill: connectedVictims,
      sent,
      acked: acked.length,
      ackedBeforeKill,
      ackedAfterKill: acked.length - ackedBeforeKill,
      sendErrors,
      ack: summarize(ackH),
      disconnected: summarize(disconnectH),
      reconnected: summarize(reconnectH),
      handshake: summarize(handshakeH),
      caughtUp: summarize(caughtUpH),
      caughtUpAfterReconnect: summarize(afterConnectH),
      reconnectedAll: populationSummary(reconnectMs, connectedVictims),
      caughtUpAll: populationSummary(caughtUpMs, connectedVictims),
      notCaughtUp,
      reconnectAttempts: attempts,
      historyPages: pages,
      syncOrHistoryErrors: syncErrors,
      syncErrorCodes,
      checkedDeliveries: checked,
      unverifiedDeliveries: unverified,
      laterDrops,
      lost,
      lostAtCatchUp,
      lostSamples,
      heldVia: { liveOnA: via[0], catchUp: via[1], liveOnNewNode: via[2] },
      listenOverflows,
      settledS: settledAt ? round((settledAt - killAt) / 1000, 2) : null,
      stormCpu,
    };
    log(
      `reconnected p50 ${summary.reconnected.p50} p99 ${summary.reconnected.p99} ms · caught up p50 ${summary.caughtUp.p50} p99 ${summary.caughtUp.p99} ms · lost ${lost} of ${checked} (at catch-up ${lostAtCatchUp}) · acked ${acked.length}/${sent}`,
    );
    result = {
      benchmark: "reconnect",
      ...runInfo(startedAt, t0),
      load: os.loadavg().map((v) => round(v, 2)),
      settings: s,
      ...summary,
    };
    for (const h of [ackH, disconnectH, reconnectH, handshakeH, caughtUpH, afterConnectH])
      h.destroy();
  } finally {
    for (const x of senderSockets) x.close();
    await Promise.all(workers.map((w) => w.stop()));
    for (const p of nodes) await stopProc(p);
    await stopAll();
    await db.conversation.deleteMany({ where: { id: { in: groupIds } } });
    for (const ids of [victimIds, senderIds])
      for (let i = 0; i < ids.length; i += 5000)
        await db.user.deleteMany({ where: { id: { in: ids.slice(i, i + 5000) } } });
    await unlinkMatching(stores.redis, `${prefix}*`);
    await stores.close();
  }
  if (result) {
    // The backlog experiment is a result of its own, beside (not instead of) the real storm.
    const name = s.listenBacklog ? `reconnect-backlog-${s.listenBacklog}` : "reconnect";
    const file = writeResult(name, result as { startedAt: string });
    if (!s.listenBacklog) await writeDocSection(RECONNECT_SECTION, renderReconnect(result, file));
    log(`results: bench/results/${file}; section "Reconnect storm" in docs/benchmarks.md`);
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(
      `[s6] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    await stopAll("SIGKILL");
    process.exit(1);
  },
);
