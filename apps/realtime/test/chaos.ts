// Faults under load (issue 12): three realtime nodes in their own processes,
// a private Redis that can be restarted empty, a cuttable link to Cassandra,
// and at-least-once clients sending all the time. Then, one after another:
// SIGKILL a node, cut Cassandra for a while, restart Redis without its data,
// drop client links, SIGTERM a node. Afterwards every acknowledged message
// must be in history exactly once under the seq it was acknowledged with,
// and every client — running only the protocol's own catch-up (contiguous
// mark, holes looked for once, `sync:required`) — must hold exactly what is
// stored.
//
// chaos.integration.test.ts runs the CI-sized profile; `npm run chaos`
// (scripts/chaos.mjs) the long one, and writes the figures to bench/results
// and docs/benchmarks.md.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";
import type { MessageRepository } from "@relay/messages/runtime";
import type { TMessage, TMessageHistoryResult, TSyncResult } from "@relay/shared/schemas";
import { startTcpProxy, type TcpProxy } from "@relay/tooling/tcp-proxy";
import { createConversation, createUser, type TestUser } from "./fixtures";
import { env, startNodeProcess, type NodeProcess } from "./helpers";

export interface TChaosProfile {
  name: string;
  clients: number;
  conversations: number;
  /** Per client: one send every this many ms (closed loop: the next waits for the ack). */
  sendEveryMs: number;
  /** The faults are spread over this long (the load goes on until they are over, plus a slot). */
  loadMs: number;
  /** How long the Cassandra link stays cut. */
  cassandraCutMs: number;
  /** How long a killed node stays down before it is restarted. */
  nodeDownMs: number;
  /** Rounds of the fault sequence during the load. */
  rounds: number;
  /**
   * Every Cassandra request is delayed this long (a network between the
   * nodes and the store): it widens the windows a fault can fall into
   * (stored but not yet marked, stored but not yet fanned out).
   */
  cassandraLatencyMs: number;
}

export const CI_PROFILE: TChaosProfile = {
  name: "ci",
  clients: 12,
  conversations: 3,
  sendEveryMs: 100,
  loadMs: 30_000,
  cassandraCutMs: 5_000,
  nodeDownMs: 2_000,
  rounds: 1,
  cassandraLatencyMs: 15,
};

export const LONG_PROFILE: TChaosProfile = {
  name: "long",
  clients: 30,
  conversations: 6,
  sendEveryMs: 100,
  loadMs: 80_000,
  cassandraCutMs: 5_000,
  nodeDownMs: 3_000,
  rounds: 2,
  cassandraLatencyMs: 15,
};

export interface TFaultFigure {
  fault: string;
  atMs: number;
  /** Sends that failed (UNAVAILABLE, timeout, disconnected) while it lasted and until recovery. */
  failedAttempts: number;
  /** From the end of the fault (restore / restart) to the next ack, any client. */
  recoveryMs: number | null;
  /** From the end of the fault until every client has had an ack again. */
  allClientsMs: number | null;
}

export interface TChaosReport {
  profile: TChaosProfile;
  /** message:send emits, retries included. */
  attempts: number;
  /** Distinct clientMsgIds. */
  sends: number;
  acked: number;
  /** Acked, but not in history (or in history under another seq). */
  lost: number;
  /** History rows beyond the first for one (sender, clientMsgId). */
  duplicates: number;
  /** Acked with a seq whose row holds another message. */
  seqCollisions: number;
  /** Refused with a code other than UNAVAILABLE/RATE_LIMITED (should be 0). */
  refused: Record<string, number>;
  storedMessages: number;
  /** Clients whose catch-up ended holding exactly the stored messages. */
  converged: number;
  clients: number;
  /** Per client that did not converge: what it missed / held extra. */
  divergence: string[];
  faults: TFaultFigure[];
  durationMs: number;
}

// ------------------------------------------------------------ private Redis

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A redis-server of our own (nothing on disk), restartable on the same port. */
export async function startPrivateRedis() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "relay-chaos-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${out}`)),
        10_000,
      );
      proc.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${out}`));
      });
    });
  };
  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    /** Kill it, stay down `downMs`, start an empty one on the same port (a restart without persistence). */
    async restartEmpty(downMs: number) {
      await stop();
      await sleep(downMs);
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------ the clients

type TAck<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

interface TAckedSend {
  conversationId: string;
  clientMsgId: string;
  messageId: string;
  seq: number;
}

/** What a conversation's client holds: seq → id, and the contiguous mark (docs/protocol.md). */
class ConversationView {
  readonly bySeq = new Map<number, string>();
  contiguous = 0;

  add(m: { seq: number; id: string }): void {
    this.bySeq.set(m.seq, m.id);
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous++;
  }

  /** A history page fetched from `afterSeq`: everything up to its top is known. */
  page(afterSeq: number, messages: TMessage[]): void {
    for (const m of messages) this.add(m);
    const top = messages.at(-1)?.seq ?? 0;
    if (afterSeq <= this.contiguous && top > this.contiguous) this.contiguous = top;
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous++;
  }

  hasHole(): boolean {
    let max = 0;
    for (const seq of this.bySeq.keys()) if (seq > max) max = seq;
    return max > this.contiguous;
  }
}

const ACK_TIMEOUT_MS = 3_000;
/** A send is retried this long before the run counts it as never acknowledged. */
const DRAIN_MS = 60_000;
const HOLE_WAIT_MS = 300;

class ChaosClient {
  socket: Socket | undefined;
  readonly views = new Map<string, ConversationView>();
  readonly acked: TAckedSend[] = [];
  attempts = 0;
  sends = 0;
  readonly refused: Record<string, number> = {};
  failures: number[] = []; // times of failed attempts
  ackTimes: Array<{ startedAt: number; at: number }> = [];
  #stopped = false;
  #catchingUp: Promise<void> | undefined;
  #again = false;
  #holeTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly user: TestUser,
    readonly conversations: string[],
    readonly pickUrl: () => string | undefined,
  ) {
    for (const c of conversations) this.views.set(c, new ConversationView());
  }

  connect(): void {
    if (this.#stopped) return;
    const url = this.pickUrl();
    if (!url) {
      setTimeout(() => this.connect(), 200);
      return;
    }
    const socket = io(url, {
      auth: { token: this.user.token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: 3_000,
    });
    this.socket = socket;
    const retry = () => {
      socket.removeAllListeners();
      socket.close();
      if (this.socket === socket) this.socket = undefined;
      setTimeout(() => this.connect(), 100 + Math.random() * 300);
    };
    socket.on("connect", () => void this.catchUp());
    socket.on("connect_error", retry);
    socket.on("disconnect", retry);
    socket.on("sync:required", () => void this.catchUp());
    socket.on("message:new", (m: TMessage) => {
      const view = this.views.get(m.conversationId);
      if (!view) return;
      view.add(m);
      if (view.hasHole()) this.#fillHoleSoon(m.conversationId);
    });
  }

  /** Drop the connection under the client's feet (what a flaky network does). */
  dropLink(): void {
    (this.socket?.io.engine as { close?: () => void } | undefined)?.close?.();
  }

  async #ack<T>(event: string, payload: unknown): Promise<TAck<T> | null> {
    const socket = this.socket;
    if (!socket?.connected) return null;
    try {
      return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as TAck<T>;
    } catch {
      return null;
    }
  }

  #fillHoleSoon(conversationId: string): void {
    if (this.#holeTimers.has(conversationId)) return;
    this.#holeTimers.set(
      conversationId,
      setTimeout(() => {
        this.#holeTimers.delete(conversationId);
        const view = this.views.get(conversationId);
        if (view?.hasHole()) void this.#fetchAfter(conversationId, view);
      }, HOLE_WAIT_MS),
    );
  }

  async #fetchAfter(conversationId: string, view: ConversationView): Promise<boolean> {
    for (let i = 0; i < 200; i++) {
      const from = view.contiguous;
      const res = await this.#ack<TMessageHistoryResult>("message:history", {
        conversationId,
        afterSeq: from,
        limit: 100,
      });
      if (!res?.ok) return false;
      view.page(from, res.data.messages);
      if (!res.data.hasMore) return true;
    }
    return true;
  }

  /** sync from the contiguous marks, then history: one at a time, once more if asked meanwhile. */
  catchUp(): Promise<void> {
    if (this.#catchingUp) {
      this.#again = true;
      return this.#catchingUp;
    }
    this.#catchingUp = (async () => {
      try {
        do {
          this.#again = false;
          const ok = await this.#catchUpOnce();
          if (!ok && !this.#stopped) {
            await sleep(300);
            this.#again = true;
          }
        } while (this.#again && !this.#stopped);
      } finally {
        this.#catchingUp = undefined;
      }
    })();
    return this.#catchingUp;
  }

  async #catchUpOnce(): Promise<boolean> {
    const known = Object.fromEntries([...this.views].map(([id, v]) => [id, v.contiguous]));
    const res = await this.#ack<TSyncResult>("sync", { conversations: known });
    if (!res?.ok) return false;
    for (const [id, st] of Object.entries(res.data)) {
      const view = this.views.get(id);
      if (view && st.lastSeq > view.contiguous && !(await this.#fetchAfter(id, view))) return false;
    }
    return true;
  }

  /** Send one message until it is acknowledged (at-least-once, same clientMsgId). */
  async sendOne(deadline: number): Promise<void> {
    const conversationId = this.conversations[this.sends % this.conversations.length]!;
    const clientMsgId = randomUUID();
    this.sends++;
    const startedAt = Date.now();
    let lastError = "";
    while (Date.now() < deadline) {
      if (!this.socket?.connected) {
        await sleep(50);
        continue;
      }
      this.attempts++;
      const res = await this.#ack<{ messageId: string; seq: number }>("message:send", {
        conversationId,
        clientMsgId,
        body: `chaos ${this.user.id.slice(0, 8)} ${this.sends}`,
      });
      if (res?.ok) {
        this.acked.push({ conversationId, clientMsgId, ...res.data });
        this.ackTimes.push({ startedAt, at: Date.now() });
        return;
      }
      this.failures.push(Date.now());
      const code = res?.ok === false ? res.error.code : "TIMEOUT";
      lastError = res?.ok === false ? `${code}: ${res.error.message}` : code;
      if (code !== "UNAVAILABLE" && code !== "TIMEOUT" && code !== "RATE_LIMITED")
        this.refused[code] = (this.refused[code] ?? 0) + 1;
      await sleep(code === "RATE_LIMITED" ? 500 : 100 + Math.random() * 200);
    }
    throw new Error(
      `send ${clientMsgId} not acknowledged before the deadline (last: ${lastError})`,
    );
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#holeTimers.values()) clearTimeout(t);
    this.socket?.removeAllListeners();
    this.socket?.close();
  }
}

// ------------------------------------------------------------ the run

/** What a fault plan can do to the run. */
export interface TChaosControls {
  profile: TChaosProfile;
  /** Stop node `i` with `signal`, keep it down `downMs`, start a fresh one. */
  restartNode(i: number, signal: NodeJS.Signals, downMs: number): Promise<void>;
  redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  /** The proxy in front of Cassandra (absent when the run talks to Cassandra directly). */
  cassandra: TcpProxy | undefined;
  dropLinks(which: (index: number) => boolean): void;
}

export interface TFaultStep {
  name: string;
  run(): Promise<void>;
}

/** The five faults of the outside run, `rounds` times. */
export function standardFaults(c: TChaosControls): TFaultStep[] {
  const { profile } = c;
  return Array.from({ length: profile.rounds }, (_, round): TFaultStep[] => [
    { name: "SIGKILL a node", run: () => c.restartNode(0, "SIGKILL", profile.nodeDownMs) },
    {
      name: `cut Cassandra for ${profile.cassandraCutMs / 1000} s`,
      run: async () => {
        c.cassandra?.cut();
        await sleep(profile.cassandraCutMs);
        await c.cassandra?.restore();
      },
    },
    { name: "restart Redis empty (down 1 s)", run: () => c.redis.restartEmpty(1_000) },
    {
      name: "drop a third of the client links",
      run: () => {
        c.dropLinks((k) => k % 3 === round % 3);
        return Promise.resolve();
      },
    },
    { name: "SIGTERM a node", run: () => c.restartNode(1, "SIGTERM", profile.nodeDownMs) },
  ]).flat();
}

export async function runChaos(
  profile: TChaosProfile,
  deps: {
    messages: MessageRepository;
    log?: (line: string) => void;
    /** The faults, in order, spread evenly over the load (default: standardFaults). */
    faults?: (controls: TChaosControls) => TFaultStep[];
    /** Talk to Cassandra through a cuttable, slowed proxy (default true; false: directly). */
    proxyCassandra?: boolean;
  },
): Promise<TChaosReport> {
  const log = deps.log ?? (() => undefined);
  const t0 = Date.now();
  const redis = await startPrivateRedis();
  const [cHost, cPort] = env.CASSANDRA_CONTACT_POINTS.split(",")[0]!.split(":");
  const cassandra: TcpProxy | undefined =
    deps.proxyCassandra === false
      ? undefined
      : await startTcpProxy({ host: cHost!, port: Number(cPort ?? 9042) });
  const nodeEnv = {
    REDIS_URL: redis.url,
    CASSANDRA_CONTACT_POINTS: cassandra
      ? `127.0.0.1:${cassandra.port}`
      : env.CASSANDRA_CONTACT_POINTS,
  };
  const nodes: Array<NodeProcess | undefined> = await Promise.all(
    [0, 1, 2].map(() => startNodeProcess(nodeEnv)),
  );
  const clients: ChaosClient[] = [];
  const stopped: NodeProcess[] = [];
  cassandra?.setLatency(profile.cassandraLatencyMs);
  try {
    const users = await Promise.all(Array.from({ length: profile.clients }, () => createUser()));
    const conversations = await Promise.all(
      Array.from({ length: profile.conversations }, () => createConversation("GROUP", users)),
    );
    let rr = 0;
    const pickUrl = () => {
      const alive = nodes.filter((n): n is NodeProcess => n !== undefined);
      return alive.length ? alive[rr++ % alive.length]!.url : undefined;
    };
    for (const u of users) clients.push(new ChaosClient(u, conversations, pickUrl));
    for (const c of clients) c.connect();

    // Load: every client sends all the time, until the faults are over and
    // one more quiet slot has passed (so every fault has sends after it).
    let loading = true;
    const loops = clients.map(async (c) => {
      while (loading) {
        const next = Date.now() + profile.sendEveryMs;
        await c.sendOne(Date.now() + DRAIN_MS);
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
      }
    });

    // Faults, spread over the load.
    const faults: Array<{ fault: string; atMs: number; endedAt: number }> = [];
    const fault = async (name: string, run: () => Promise<void>) => {
      const at = Date.now();
      log(`fault: ${name}`);
      await run();
      faults.push({
        fault: name,
        atMs: at - t0,
        endedAt: Date.now(),
      });
    };
    const restartNode = async (i: number, signal: NodeJS.Signals, downMs: number) => {
      const node = nodes[i];
      if (node) stopped.push(node);
      nodes[i] = undefined;
      await node?.stop(signal);
      await sleep(downMs);
      nodes[i] = await startNodeProcess(nodeEnv);
    };
    const steps = (deps.faults ?? standardFaults)({
      profile,
      restartNode,
      redis,
      cassandra,
      dropLinks: (which) => clients.forEach((c, k) => which(k) && c.dropLink()),
    });
    const slot = profile.loadMs / (steps.length + 1);
    for (const step of steps) {
      await sleep(slot);
      await fault(step.name, () => step.run());
    }
    await sleep(slot);
    loading = false;
    await Promise.all(loops).catch((err: unknown) => {
      // What the nodes said last, for the failure message.
      const said = [...nodes, ...stopped]
        .flatMap((n) => (n ? n.output().split("\n") : []))
        .filter((l) => /"level":(40|50|60)/.test(l))
        .sort((a, b) =>
          (/"time":"([^"]+)"/.exec(a)?.[1] ?? "").localeCompare(
            /"time":"([^"]+)"/.exec(b)?.[1] ?? "",
          ),
        )
        .slice(-8)
        .join("\n");
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\nnodes' last warnings:\n${said}`,
      );
    });
    log("load over: final catch-up");

    // Quiet: every client catches up once more, by the protocol alone.
    await sleep(1_000);
    await Promise.all(
      clients.map(async (c) => {
        const deadline = Date.now() + 30_000;
        while (!c.socket?.connected && Date.now() < deadline) await sleep(50);
        await c.catchUp();
      }),
    );

    // What is stored, straight from Cassandra.
    const stored = new Map<
      string,
      Map<number, { id: string; senderId: string; clientMsgId: string | null }>
    >();
    for (const conversationId of conversations) {
      const rows = new Map<number, { id: string; senderId: string; clientMsgId: string | null }>();
      let after = 0;
      for (;;) {
        const page = await deps.messages.page(conversationId, { afterSeq: after, limit: 100 });
        for (const m of page.messages)
          rows.set(m.seq, { id: m.id, senderId: m.senderId, clientMsgId: m.clientMsgId });
        const last = page.messages.at(-1);
        if (!page.hasMore || !last) break;
        after = last.seq;
      }
      stored.set(conversationId, rows);
    }
    const acked = clients.flatMap((c) => c.acked);
    let lost = 0;
    let seqCollisions = 0;
    for (const a of acked) {
      const row = stored.get(a.conversationId)?.get(a.seq);
      if (!row) lost++;
      else if (row.id !== a.messageId) seqCollisions++;
    }
    let duplicates = 0;
    let storedMessages = 0;
    for (const rows of stored.values()) {
      const seen = new Set<string>();
      for (const r of rows.values()) {
        storedMessages++;
        const key = `${r.senderId}:${r.clientMsgId}`;
        if (seen.has(key)) duplicates++;
        seen.add(key);
      }
    }
    const divergence: string[] = [];
    let converged = 0;
    for (const c of clients) {
      const problems: string[] = [];
      for (const [conversationId, rows] of stored) {
        const view = c.views.get(conversationId)!;
        const missing = [...rows]
          .filter(([seq, r]) => view.bySeq.get(seq) !== r.id)
          .map(([seq]) => seq);
        const extra = [...view.bySeq.keys()].filter((seq) => !rows.has(seq));
        if (missing.length || extra.length)
          problems.push(
            `${conversationId.slice(0, 8)}: missing seqs [${missing.slice(0, 10).join(",")}] extra [${extra.slice(0, 10).join(",")}]`,
          );
      }
      if (problems.length)
        divergence.push(`client ${c.user.id.slice(0, 8)}: ${problems.join("; ")}`);
      else converged++;
    }
    const failures = clients.flatMap((c) => c.failures).sort((a, b) => a - b);
    const acks = clients.flatMap((c) => c.ackTimes).sort((a, b) => a.at - b.at);
    const figures: TFaultFigure[] = faults.map((f, i) => {
      const nextAt = faults[i + 1] ? faults[i + 1]!.atMs + t0 : Infinity;
      const firstAck = acks.find((a) => a.at >= f.endedAt);
      const perClient = clients.map((c) => c.ackTimes.find((a) => a.at >= f.endedAt)?.at);
      return {
        fault: f.fault,
        atMs: f.atMs,
        failedAttempts: failures.filter((t) => t >= f.atMs + t0 && t < nextAt).length,
        recoveryMs: firstAck ? firstAck.at - f.endedAt : null,
        allClientsMs: perClient.every((t) => t !== undefined)
          ? Math.max(...perClient.map((t) => t - f.endedAt))
          : null,
      };
    });
    const refused: Record<string, number> = {};
    for (const c of clients)
      for (const [code, n] of Object.entries(c.refused)) refused[code] = (refused[code] ?? 0) + n;
    return {
      profile,
      attempts: clients.reduce((n, c) => n + c.attempts, 0),
      sends: clients.reduce((n, c) => n + c.sends, 0),
      acked: acked.length,
      lost,
      duplicates,
      seqCollisions,
      refused,
      storedMessages,
      converged,
      clients: clients.length,
      divergence,
      faults: figures,
      durationMs: Date.now() - t0,
    };
  } finally {
    for (const c of clients) c.stop();
    await Promise.all(
      nodes.filter((n): n is NodeProcess => n !== undefined).map((n) => n.stop("SIGKILL")),
    );
    await cassandra?.close();
    await redis.close();
  }
}
