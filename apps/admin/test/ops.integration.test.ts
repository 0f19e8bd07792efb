// GET /api/ops shows the push queue with the nodes' totals: its depth, the
// jobs that failed outright, the dead letters and the oldest waiting job's
// age, read from the real queue in Redis. This file's console runs on a Redis
// prefix of its own, so the queue holds only what the test puts in it (and no
// realtime node is registered there).
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  loadBullMQ,
  PUSH_DEAD_LETTER_QUEUE,
  PUSH_QUEUE,
  pushQueuePrefix,
  type TOpsSnapshot,
} from "@relay/core";
import * as OpsRoute from "../src/app/api/ops/route";
import { loadEnv } from "../src/env";
import { deps, staffSession } from "./helpers";

vi.hoisted(() => {
  process.env.REDIS_PREFIX = `relay:test:ops-${globalThis.crypto.randomUUID().slice(0, 8)}:`;
});

afterAll(async () => {
  const redis = deps().redis;
  const keys = await redis.keys(`${loadEnv().REDIS_PREFIX}*`);
  if (keys.length) await redis.unlink(...keys);
});

async function ops(cookie: string): Promise<TOpsSnapshot> {
  const res = await OpsRoute.GET(
    new Request("http://localhost:3001/api/ops", { headers: { cookie } }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as TOpsSnapshot;
}

/** The console's collector shares a snapshot for 500 ms: wait past it before reading again. */
const nextSnapshot = () => new Promise((r) => setTimeout(r, 600));

describe("GET /api/ops: the push queue", () => {
  it("reports depth, failures, dead letters and the oldest waiting job with the totals", async () => {
    const { cookie } = await staffSession("MODERATOR");
    const empty = await ops(cookie);
    expect(empty.nodes).toEqual([]);
    expect(empty.totals).toMatchObject({ nodes: 0, reachable: 0 });
    expect(empty.totals.push).toEqual({
      available: true,
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      deadLettered: 0,
      oldestWaitingAgeMs: 0,
      depth: 0,
    });

    const { Queue, Worker } = await loadBullMQ();
    const prefix = pushQueuePrefix(loadEnv().REDIS_PREFIX);
    const connection = deps().duplicateRedis("ops-test");
    // One job that fails outright (a processor error on its only attempt).
    const main = new Queue(PUSH_QUEUE, { connection, prefix });
    await main.add("fanout", { broken: true }, { jobId: "ops-failed", attempts: 1 });
    const url = new URL(loadEnv().REDIS_URL);
    const worker = new Worker(PUSH_QUEUE, () => Promise.reject(new Error("provider exploded")), {
      connection: {
        host: url.hostname,
        port: Number(url.port || 6379),
        db: Number(url.pathname.slice(1) || 0),
        maxRetriesPerRequest: null,
      },
      prefix,
    });
    await new Promise<void>((resolve) => worker.once("failed", () => resolve()));
    await worker.close();
    // One dead letter, as the worker leaves it after the last attempt.
    const dead = new Queue(PUSH_DEAD_LETTER_QUEUE, { connection, prefix });
    await dead.add("deliver", { messageId: randomUUID() }, { jobId: "ops-dead" });
    // Two fan-outs waiting, enqueued the way the send path does.
    for (const seq of [1, 2])
      await deps().push.messageStored({
        messageId: randomUUID(),
        conversationId: randomUUID(),
        seq,
        senderId: randomUUID(),
      });
    await Promise.all([main.close(), dead.close()]);

    await nextSnapshot();
    const busy = await ops(cookie);
    expect(busy.totals.push).toMatchObject({
      available: true,
      waiting: 2,
      active: 0,
      delayed: 0,
      depth: 2,
      failed: 1,
      deadLettered: 1,
    });
    const push = busy.totals.push as Extract<TOpsSnapshot["totals"]["push"], { available: true }>;
    // Read at least the 600 ms of nextSnapshot() after the first fan-out was queued.
    expect(push.oldestWaitingAgeMs).toBeGreaterThanOrEqual(500);
    expect(push.oldestWaitingAgeMs).toBeLessThan(60_000);
  });
});
