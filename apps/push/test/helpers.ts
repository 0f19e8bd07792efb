// A push test cluster per test file: its own Redis prefix (so its queue and
// presence keys are its own, whatever else runs in parallel), the real test
// stores (Postgres, Redis, Cassandra), both stand-ins in this process, a real
// worker process (apps/push/src/index.ts through tsx) and, when a test needs
// live sockets, a real realtime node process.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { io as connect, type Socket } from "socket.io-client";
import {
  createLogger,
  createStores,
  createTokenService,
  pushQueuePrefix,
  PUSH_QUEUE,
  sendMessage,
  type Stores,
} from "@relay/core";
import { createTestConversation, createTestUser, testEnv } from "@relay/core/testing";
import { startPushStandins, type PushStandins } from "@relay/push-standins";
import type { ClientToServerEvents, ServerToClientEvents } from "@relay/shared/events";
import type { TMessageSendResult } from "@relay/shared/schemas";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface ChildApp {
  child: ChildProcess;
  port: number;
  output(): string;
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** `entry` through tsx with the test env plus `env`; resolves once its log says `ready`. */
async function spawnApp(
  entry: string,
  env: Record<string, string>,
  ready: string,
  port: number,
): Promise<ChildApp> {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${out}`)), 45_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(`"msg":"${ready}"`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited before it was ready:\n${out}`));
    });
  });
  return {
    child,
    port,
    output: () => out,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface PushCluster {
  prefix: string;
  /** Stores on this cluster's prefix: fixtures, sends (its push port enqueues into this cluster's queue). */
  stores: Stores;
  standins: PushStandins;
  /** Worker env (test env + stand-ins + fast timings + overrides). */
  workerEnv: Record<string, string>;
  startWorker(extra?: Record<string, string>): Promise<ChildApp>;
  startRealtime(): Promise<ChildApp & { url: string }>;
  /** `from` sends `body` through core's sendMessage (its fan-out job goes to this cluster's queue). */
  send(from: TestUser, conversationId: string, body: string): Promise<TMessageSendResult>;
  /** Resolves with the job's return value once it has completed (BullMQ's event stream, no polling). */
  finished<T = unknown>(jobId: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Fast timings for tests; each file may override. */
export const TEST_WORKER_ENV: Record<string, string> = {
  PUSH_CONCURRENCY: "16",
  PUSH_MAX_ATTEMPTS: "3",
  PUSH_BACKOFF_BASE_MS: "200",
  PUSH_BACKOFF_MAX_MS: "2000",
  PUSH_COLLAPSE_WINDOW_MS: "1500",
  PUSH_AWAY_DELAY_S: "2",
  PUSH_LOCK_MS: "2000",
  PUSH_STALLED_INTERVAL_MS: "1000",
};

export async function startPushCluster(
  overrides: Record<string, string> = {},
): Promise<PushCluster> {
  const base = testEnv();
  const prefix = `${base.REDIS_PREFIX}push-${randomUUID().slice(0, 8)}:`;
  const env = { ...base, REDIS_PREFIX: prefix };
  const stores = createStores(env, {
    logger: createLogger({ app: "push-test", level: "error" }),
    dbPoolMax: 4,
  });
  const standins = await startPushStandins();
  const workerEnv = { ...TEST_WORKER_ENV, ...standins.env, ...overrides, REDIS_PREFIX: prefix };
  const children: ChildApp[] = [];
  const bullRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const events = new QueueEvents(PUSH_QUEUE, {
    connection: bullRedis,
    prefix: pushQueuePrefix(prefix),
  });
  const queue = new Queue(PUSH_QUEUE, { connection: bullRedis, prefix: pushQueuePrefix(prefix) });
  await events.waitUntilReady();

  return {
    prefix,
    stores,
    standins,
    workerEnv,
    async startWorker(extra = {}) {
      const port = await freePort();
      const app = await spawnApp(
        "apps/push/src/index.ts",
        { ...workerEnv, ...extra, PUSH_METRICS_PORT: String(port) },
        "push worker started",
        port,
      );
      children.push(app);
      return app;
    },
    async startRealtime() {
      const port = await freePort();
      const app = await spawnApp(
        "apps/realtime/src/index.ts",
        { REDIS_PREFIX: prefix, REALTIME_PORT: String(port) },
        "listening",
        port,
      );
      children.push(app);
      return { ...app, url: `http://127.0.0.1:${port}` };
    },
    send: (from, conversationId, body) =>
      sendMessage(stores, {
        actor: actorOf(from),
        conversationId,
        clientMsgId: randomUUID(),
        body,
      }),
    async finished<T>(jobId: string, timeoutMs = 20_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await Job.fromId(queue, jobId);
        if (job)
          return (await job.waitUntilFinished(events, Math.max(1, deadline - Date.now()))) as T;
        if (Date.now() > deadline) throw new Error(`job ${jobId} never appeared`);
        // Not added yet: wait for the queue's next "added" event (or half a second), then look again.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            events.off("added", done);
            resolve();
          };
          const timer = setTimeout(done, 500);
          events.on("added", done);
        });
      }
    },
    async close() {
      await Promise.all(children.map((c) => c.stop("SIGTERM")));
      await events.close();
      await queue.close();
      bullRedis.disconnect();
      await standins.close();
      await stores.close();
    },
  };
}

// ----------------------------------------------------------------- fixtures

export interface TestUser {
  id: string;
  name: string;
  token: string;
}

/** The use-case actor of a test user (every test user is a USER). */
export const actorOf = (u: TestUser) => ({ userId: u.id, role: "USER" as const });

const tokens = createTokenService({ jwtSecret: testEnv().JWT_SECRET });

export async function createUser(stores: Stores, name = "Test user"): Promise<TestUser> {
  const user = await createTestUser(stores.db, { name });
  const token = await tokens.signAccess({ userId: user.id, role: "USER", sessionId: randomUUID() });
  return { id: user.id, name, token };
}

export function createConversation(
  stores: Stores,
  type: "DIRECT" | "GROUP",
  members: TestUser[],
  title?: string,
): Promise<string> {
  return createTestConversation(stores.db, type, members, title);
}

export const apnsToken = () => randomUUID().replaceAll("-", "") + randomUUID().replaceAll("-", "");
export const fcmToken = () => `fcm-${randomUUID()}`;

export async function addDevice(stores: Stores, userId: string, platform: "FCM" | "APNS") {
  return stores.db.device.create({
    data: { userId, platform, token: platform === "FCM" ? fcmToken() : apnsToken() },
  });
}

export function connectAs(url: string, user: TestUser): Promise<TestSocket> {
  const socket: TestSocket = connect(url, {
    auth: { token: user.token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

export async function ack<T = unknown>(
  socket: TestSocket,
  event: string,
  payload: unknown,
): Promise<T> {
  const res = (await (
    socket as unknown as {
      timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<unknown> };
    }
  )
    .timeout(10_000)
    .emitWithAck(event, payload)) as { ok: boolean; data?: T; error?: unknown };
  if (!res.ok) throw new Error(`${event} failed: ${JSON.stringify(res.error)}`);
  return res.data as T;
}
