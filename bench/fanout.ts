// S4 — group fan-out (docs/benchmarks.md "Group fan-out"): one sender sends to
// a 500-member and a 1,000-member group at a modest open-loop rate; the
// members' sockets are spread over 3 Relay nodes (one Redis adapter). We
// measure deliveries/s and the last-recipient latency (scheduled send → the
// last member's `message:new`) per message, against a single raw Socket.IO
// server with the default in-memory adapter doing the same broadcast to the
// same number of sockets (bench/baseline-server.mjs, no store), in the same run.
//
// LIMITS.groupMaxMembers is 500 (packages/shared/src/limits.ts): the
// 1,000-member group's memberships are written straight to Postgres, as
// every benchmark fixture is (the send path reads members from Postgres via
// its Redis cache and does not check the cap).
//
// Writes bench/results/fanout-<time>.json, latest-fanout.json and the
// "Group fan-out" section of docs/benchmarks.md.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";
import { createTokenService } from "@relay/core";
import { LIMITS } from "@relay/shared/limits";
import { log as logFor, startBaseline, startRelayNode, stopAll, type Proc } from "./procs";
import { createCpuSampler, type TCpuUsage } from "./procstat";
import { FANOUT_SECTION, renderFanout } from "./report.mjs";
import { runInfo, writeDocSection, writeResult } from "./results";
import { envNumber, newHistogram, recordMs, round, summarize, type TLatencySummary } from "./stats";
import { openBenchStores, unlinkMatching } from "./stores";

const env = process.env;
const num = envNumber;
const log = logFor("s4");

const SETTINGS = {
  groups: (env.BENCH_S4_GROUPS ?? "500,1000").split(",").map(Number),
  /** Messages per second from the one sender (Relay's per-user limit is 10/s). */
  rate: num(env.BENCH_S4_RATE, 5),
  warmupMessages: 10,
  measureS: num(env.BENCH_S4_MEASURE_S, 12),
  /** After the last send, wait at most this long for the deliveries. */
  drainMaxS: 10,
  relayNodes: 3,
  bodyChars: 100,
};

interface TGroupResult {
  target: "baseline" | "relay";
  members: number;
  recipients: number;
  messages: number;
  acked: number;
  deliveries: number;
  expectedDeliveries: number;
  missing: number;
  deliveriesPerS: number;
  /** Scheduled send → the last recipient's message:new, per message (complete messages only). */
  lastRecipient: TLatencySummary;
  /** Scheduled send → each recipient's message:new. */
  delivery: TLatencySummary;
  ack: TLatencySummary;
  cpu: TCpuUsage;
}

interface Rec {
  scheduled: number;
  got: number;
  last: number;
}

const connect = (url: string, auth: Record<string, unknown>) =>
  new Promise<Socket>((resolve, reject) => {
    const s = io(url, { auth, transports: ["websocket"], reconnection: false, forceNew: true });
    s.once("connect", () => resolve(s));
    s.once("connect_error", (e) => {
      s.close();
      reject(e);
    });
  });

async function connectAll(urls: (i: number) => string, auths: Array<Record<string, unknown>>) {
  const out = new Array<Socket>(auths.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < auths.length) {
        const i = next++;
        out[i] = await connect(urls(i), auths[i]!);
      }
    }),
  );
  return out;
}

/** One group, one target: warm-up, then `measureS` of open-loop sends from member 0. */
async function drive(
  target: TGroupResult["target"],
  sockets: Socket[],
  members: number,
  conversationId: string,
  cpu: ReturnType<typeof createCpuSampler>,
): Promise<TGroupResult> {
  const recs = new Map<string, Rec>();
  const delivery = newHistogram();
  const ack = newHistogram();
  let measuring = false;
  let acked = 0;
  const onNew = (i: number) => (m: { clientMsgId?: string; conversationId?: string }) => {
    if (i === 0 || m.conversationId !== conversationId) return; // the sender's own copy
    const rec = recs.get(m.clientMsgId ?? "");
    if (!rec) return;
    const now = performance.now();
    rec.got++;
    rec.last = now;
    if (measuring) recordMs(delivery, now - rec.scheduled);
  };
  const handlers = sockets.slice(0, members).map((s, i) => {
    const h = onNew(i);
    s.on("message:new", h);
    return [s, h] as const;
  });
  const sender = sockets[0]!;
  const send = (id: string, k: number) =>
    sender.emit(
      "message:send",
      {
        conversationId,
        clientMsgId: id,
        body: `fanout ${k} `.padEnd(SETTINGS.bodyChars, "lorem ipsum "),
      },
      (res: { ok?: boolean }) => {
        const rec = recs.get(id);
        if (res?.ok && rec && id.includes("-m-")) {
          acked++;
          recordMs(ack, performance.now() - rec.scheduled);
        }
      },
    );
  // Warm-up: member caches, JIT, one message at a time.
  for (let k = 0; k < SETTINGS.warmupMessages; k++) {
    const id = `${target}-${members}-w-${k}`;
    recs.set(id, { scheduled: performance.now(), got: 0, last: 0 });
    send(id, k);
    await sleep(1000 / SETTINGS.rate);
  }
  await sleep(1_000);
  const total = Math.round(SETTINGS.rate * SETTINGS.measureS);
  const measured: Rec[] = [];
  const cpu0 = cpu.sample();
  measuring = true;
  const start = performance.now() + 20;
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / SETTINGS.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const id = `${target}-${members}-m-${k}`;
    const rec = { scheduled: due, got: 0, last: 0 };
    recs.set(id, rec);
    measured.push(rec);
    send(id, k);
  }
  const recipients = members - 1;
  const until = performance.now() + SETTINGS.drainMaxS * 1000;
  while (measured.some((r) => r.got < recipients) && performance.now() < until) await sleep(20);
  const cpuUse = cpu.diff(cpu0, cpu.sample(), os.cpus().length);
  measuring = false;
  for (const [s, h] of handlers) s.off("message:new", h);

  const last = newHistogram();
  let deliveries = 0;
  let lastArrival = start;
  for (const r of measured) {
    deliveries += Math.min(r.got, recipients);
    if (r.got >= recipients) recordMs(last, r.last - r.scheduled);
    lastArrival = Math.max(lastArrival, r.last);
  }
  const result: TGroupResult = {
    target,
    members,
    recipients,
    messages: total,
    acked,
    deliveries,
    expectedDeliveries: total * recipients,
    missing: total * recipients - deliveries,
    // Over the send window, or until the last arrival when that came later.
    deliveriesPerS: round(
      deliveries / Math.max(SETTINGS.measureS, (lastArrival - start) / 1000),
      0,
    ),
    lastRecipient: summarize(last),
    delivery: summarize(delivery),
    ack: summarize(ack),
    cpu: cpuUse,
  };
  for (const h of [last, delivery, ack]) h.destroy();
  log(
    `${target} ${members} members: ${result.deliveriesPerS} deliveries/s, last recipient p50 ${result.lastRecipient.p50} p99 ${result.lastRecipient.p99} ms, every delivery p50 ${result.delivery.p50} p99 ${result.delivery.p99} ms, missing ${result.missing}, machine ${cpuUse.machineBusyPct}%`,
  );
  return result;
}

async function main() {
  const startedAt = new Date();
  const t0 = performance.now();
  const prefix = `${env.REDIS_PREFIX ?? "relay:test:"}bench-s4:`;
  const stores = openBenchStores({ REDIS_PREFIX: prefix });
  const { db } = stores;
  const maxMembers = Math.max(...SETTINGS.groups);
  const runId = randomUUID().slice(0, 8);
  const userIds = Array.from({ length: maxMembers }, () => randomUUID());
  const groups = SETTINGS.groups.map((members) => ({ members, id: randomUUID() }));
  const results: TGroupResult[] = [];
  const sockets: Socket[] = [];
  let nodes: Proc[] = [];
  try {
    log(
      `fixtures: ${maxMembers} users, groups of ${SETTINGS.groups.join(" and ")} members (memberships written directly to Postgres; LIMITS.groupMaxMembers = ${LIMITS.groupMaxMembers})…`,
    );
    for (let i = 0; i < userIds.length; i += 5000)
      await db.user.createMany({
        data: userIds.slice(i, i + 5000).map((id, k) => ({
          id,
          email: `s4-${runId}-${i + k}@bench.relay`,
          name: `Fanout ${i + k}`,
        })),
      });
    await db.conversation.createMany({
      data: groups.map((g) => ({
        id: g.id,
        type: "GROUP" as const,
        title: `bench ${g.members}`,
        createdById: userIds[0]!,
      })),
    });
    for (const g of groups)
      await db.membership.createMany({
        data: userIds.slice(0, g.members).map((userId, i) => ({
          conversationId: g.id,
          userId,
          role: i === 0 ? ("OWNER" as const) : ("MEMBER" as const),
        })),
      });

    // ---- baseline: one Socket.IO server, in-memory adapter, the same sockets and broadcasts
    const baseline = await startBaseline("s4-baseline", "none");
    const cpuB = createCpuSampler({ baseline: baseline.pid });
    log(`baseline: connecting ${maxMembers} sockets…`);
    const baseSockets = await connectAll(
      () => baseline.url,
      userIds.map((userId, i) => ({
        userId,
        conversationIds: groups.filter((g) => i < g.members).map((g) => g.id),
      })),
    );
    for (const g of groups)
      results.push(await drive("baseline", baseSockets, g.members, g.id, cpuB));
    for (const s of baseSockets) s.close();

    // ---- Relay: 3 nodes, members round-robin over them, the sender on node 1
    nodes = [];
    for (let n = 1; n <= SETTINGS.relayNodes; n++)
      nodes.push(await startRelayNode({ n, redisPrefix: prefix }));
    const pids: Record<string, number> = {};
    nodes.forEach((p, i) => (pids[`relay-${i + 1}`] = p.pid));
    const cpuR = createCpuSampler(pids);
    const tokens = createTokenService({ jwtSecret: env.JWT_SECRET! });
    const auths: Array<Record<string, unknown>> = [];
    for (const userId of userIds)
      auths.push({
        token: await tokens.signAccess({ userId, role: "USER", sessionId: randomUUID() }, 3600),
      });
    log(`relay: connecting ${maxMembers} sockets over ${nodes.length} nodes…`);
    sockets.push(...(await connectAll((i) => nodes[i % nodes.length]!.url, auths)));
    for (const g of groups) results.push(await drive("relay", sockets, g.members, g.id, cpuR));
  } finally {
    for (const s of sockets) s.close();
    await stopAll();
    await db.conversation.deleteMany({ where: { id: { in: groups.map((g) => g.id) } } });
    await db.user.deleteMany({ where: { id: { in: userIds } } });
    await unlinkMatching(stores.redis, `${prefix}*`);
    await stores.close();
  }
  const result = {
    benchmark: "fanout",
    ...runInfo(startedAt, t0),
    load: os.loadavg().map((v) => round(v, 2)),
    settings: SETTINGS,
    groupMaxMembers: LIMITS.groupMaxMembers,
    results,
  };
  const file = writeResult("fanout", result);
  await writeDocSection(FANOUT_SECTION, renderFanout(result, file));
  log(`results: bench/results/${file}; section "Group fan-out" in docs/benchmarks.md`);
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(
      `[s4] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    await stopAll("SIGKILL");
    process.exit(1);
  },
);
