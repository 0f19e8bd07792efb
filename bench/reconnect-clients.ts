// Victim clients of the reconnect-storm benchmark (bench/reconnect.ts): a
// process holding thousands of Relay clients, each doing what
// docs/protocol.md "Reconnect and catch-up" tells a client to do. Started by
// bench/reconnect.ts with an IPC channel.
//
//   {type:"setup", victims, url, survivors, localAddresses, concurrency}
//        → {type:"connected", ok, failed}       every victim on `url` (the node to be killed)
//   {type:"progress"} → {type:"progress", disconnected, connected, caughtUp, failed}
//   {type:"report"}   → {type:"report", victims: [...]}  per victim: times and every seq it has
//   {type:"close"}    → {type:"closed"}, exit
//
// Per victim: `message:new` adds the seq to what it holds and moves its
// contiguous mark (the highest seq up to which it holds every message). When
// its socket drops it reconnects like socket.io-client would (delay 1 s × 2^n,
// ±50 % jitter, at most 5 s), to the surviving nodes in turn (as a load
// balancer would send it), then `sync` with its contiguous mark and, if the
// conversation's lastSeq is above it, pages `message:history` with afterSeq =
// the mark until hasMore is false: caught up. Times are wall-clock ms
// (performance.timeOrigin + performance.now()), comparable with the parent's.
import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";

interface TVictimIn {
  userId: string;
  token: string;
  conversationId: string;
}

/** How a victim got a seq: live on the first node, by catch-up, live on the new node. */
const VIA = { liveBefore: 0, catchUp: 1, liveAfter: 2 } as const;

interface Victim extends TVictimIn {
  index: number;
  socket: Socket | null;
  /** seq → [via, wall ms] */
  held: Map<number, [number, number]>;
  mark: number;
  phase: "connected" | "down" | "reconnecting" | "syncing" | "caughtUp" | "failed";
  disconnectAt: number;
  /** When the attempt that succeeded started (after its backoff delay). */
  attemptAt: number;
  connectAt: number;
  syncAt: number;
  caughtUpAt: number;
  attempts: number;
  syncMark: number;
  pages: number;
  errors: number;
  /** Drops of the new socket after the first reconnect (each: reconnect and catch up again). */
  laterDrops: number;
}

let closing = false;
/** Why sync/history requests failed (error code or "timeout"), over all victims. */
const errorCodes: Record<string, number> = {};

const now = () => performance.timeOrigin + performance.now();
const send = (m: unknown) => process.send?.(m);
const victims: Victim[] = [];
let survivors: string[] = [];
let localAddresses: string[] = [];

const RECONNECT = { delayMs: 1_000, maxMs: 5_000, jitter: 0.5, maxAttempts: 12, timeoutMs: 20_000 };

/** socket.io-client's backoff (engine.io Backoff): min × 2^n, ± jitter, capped. */
function backoff(attempt: number): number {
  let ms = RECONNECT.delayMs * 2 ** attempt;
  const rand = Math.random();
  const deviation = Math.floor(rand * RECONNECT.jitter * ms);
  ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
  return Math.min(ms, RECONNECT.maxMs);
}

function hold(v: Victim, seq: number, via: number) {
  if (!v.held.has(seq)) v.held.set(seq, [via, now()]);
  while (v.held.has(v.mark + 1)) v.mark++;
}

function open(v: Victim, url: string): Promise<Socket> {
  const s = io(url, {
    auth: { token: v.token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: RECONNECT.timeoutMs,
    ...({ localAddress: localAddresses[v.index % localAddresses.length] } as object),
  });
  s.on("message:new", (m: { conversationId?: string; seq?: number }) => {
    if (m?.conversationId === v.conversationId && typeof m.seq === "number")
      hold(v, m.seq, v.phase === "connected" ? VIA.liveBefore : VIA.liveAfter);
  });
  return new Promise((resolve, reject) => {
    s.once("connect", () => resolve(s));
    s.once("connect_error", (err: Error) => {
      s.close();
      reject(err);
    });
  });
}

type TAck<T> = { ok: boolean; data?: T; error?: { code: string } };

async function catchUp(v: Victim, s: Socket) {
  v.phase = "syncing";
  if (!v.syncAt) {
    v.syncAt = now();
    v.syncMark = v.mark;
  }
  for (let tries = 0; ; tries++) {
    try {
      const sync = (await s.timeout(20_000).emitWithAck("sync", {
        conversations: { [v.conversationId]: v.mark },
      })) as TAck<Record<string, { lastSeq: number }>>;
      if (!sync.ok) throw new Error(sync.error?.code ?? "sync failed");
      const lastSeq = sync.data?.[v.conversationId]?.lastSeq ?? 0;
      let after = v.mark;
      while (lastSeq > after) {
        const page = (await s.timeout(20_000).emitWithAck("message:history", {
          conversationId: v.conversationId,
          afterSeq: after,
          limit: 100,
        })) as TAck<{ messages: Array<{ seq: number }>; hasMore: boolean }>;
        if (!page.ok || !page.data) throw new Error(page.error?.code ?? "history failed");
        v.pages++;
        for (const m of page.data.messages) hold(v, m.seq, VIA.catchUp);
        const top = page.data.messages.at(-1)?.seq ?? after;
        if (!page.data.hasMore) break;
        after = top;
      }
      v.caughtUpAt ||= now();
      v.phase = "caughtUp";
      return;
    } catch (err) {
      v.errors++;
      const code = err instanceof Error ? err.message.slice(0, 60) : String(err);
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      if (tries >= 5 || !s.connected) {
        v.phase = "failed";
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function reconnect(v: Victim) {
  v.phase = "reconnecting";
  for (let attempt = 0; attempt < RECONNECT.maxAttempts; attempt++) {
    await new Promise((r) => setTimeout(r, backoff(attempt)));
    v.attempts++;
    v.attemptAt = now();
    try {
      const s = await open(v, survivors[(v.index + attempt + v.laterDrops) % survivors.length]!);
      v.socket = s;
      v.connectAt ||= now();
      // A later drop (a surviving node under load, a ping timeout): reconnect and catch up again.
      s.once("disconnect", () => {
        if (closing) return;
        v.laterDrops++;
        void reconnect(v);
      });
      await catchUp(v, s);
      return;
    } catch {
      /* next attempt */
    }
  }
  v.phase = "failed";
}

async function setup(m: {
  victims: TVictimIn[];
  url: string;
  survivors: string[];
  localAddresses: string[];
  concurrency: number;
}) {
  survivors = m.survivors;
  localAddresses = m.localAddresses;
  let ok = 0;
  let failed = 0;
  let next = 0;
  for (const [i, x] of m.victims.entries())
    victims.push({
      ...x,
      index: i,
      socket: null,
      held: new Map(),
      mark: 0,
      phase: "connected",
      disconnectAt: 0,
      attemptAt: 0,
      connectAt: 0,
      syncAt: 0,
      caughtUpAt: 0,
      attempts: 0,
      syncMark: 0,
      pages: 0,
      errors: 0,
      laterDrops: 0,
    });
  await Promise.all(
    Array.from({ length: m.concurrency }, async () => {
      while (next < victims.length) {
        const v = victims[next++]!;
        try {
          const s = await open(v, m.url);
          v.socket = s;
          ok++;
          s.once("disconnect", () => {
            v.disconnectAt = now();
            v.phase = "down";
            void reconnect(v);
          });
        } catch {
          failed++;
          v.phase = "failed";
        }
      }
    }),
  );
  send({ type: "connected", ok, failed });
}

process.on("message", (m: { type: string } & Record<string, unknown>) => {
  if (m.type === "setup") void setup(m as unknown as Parameters<typeof setup>[0]);
  else if (m.type === "progress") {
    const count = (p: Victim["phase"]) => victims.filter((v) => v.phase === p).length;
    send({
      type: "progress",
      disconnected: victims.filter((v) => v.disconnectAt > 0).length,
      connected: victims.filter((v) => v.connectAt > 0).length,
      caughtUp: victims.filter((v) => v.caughtUpAt > 0).length,
      caughtUpNow: count("caughtUp"),
      failed: count("failed"),
    });
  } else if (m.type === "report") {
    send({
      type: "report",
      errorCodes,
      victims: victims.map((v) => ({
        userId: v.userId,
        conversationId: v.conversationId,
        phase: v.phase,
        disconnectAt: v.disconnectAt,
        attemptAt: v.attemptAt,
        connectAt: v.connectAt,
        syncAt: v.syncAt,
        caughtUpAt: v.caughtUpAt,
        attempts: v.attempts,
        syncMark: v.syncMark,
        pages: v.pages,
        errors: v.errors,
        laterDrops: v.laterDrops,
        held: [...v.held].map(([seq, [via, at]]) => [seq, via, Math.round(at)]),
      })),
    });
  } else if (m.type === "close") {
    closing = true;
    for (const v of victims) v.socket?.close();
    send({ type: "closed" });
    setTimeout(() => process.exit(0), 200);
  }
});
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
