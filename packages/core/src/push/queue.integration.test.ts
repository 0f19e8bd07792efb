// The send path's push hook against real stores: one fan-out job per stored
// message, added before the ack, idempotent across retries; a failed enqueue
// fails the send (nothing acked) and the retry enqueues; reads enqueue a
// clear only when a device shows that conversation.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { sendMessage } from "../messages/send-message";
import { markReceipt } from "../receipts/receipts";
import { createStores } from "../stores";
import { createTestUser, testEnv, testLogger } from "../testing";
import { pushKeys, pushQueuePrefix, PUSH_QUEUE } from "./keys";
import { loadBullMQ } from "./queue";

// A prefix of its own: no worker consumes this file's queue.
const prefix = `${testEnv().REDIS_PREFIX}pushq-${randomUUID().slice(0, 8)}:`;
const s = createStores(
  { ...testEnv(), REDIS_PREFIX: prefix },
  { logger: testLogger(), dbPoolMax: 3 },
);
afterAll(() => s.close());

const queue = async () => {
  const { Queue } = await loadBullMQ();
  return new Queue(PUSH_QUEUE, {
    connection: s.duplicateRedis("test-queue"),
    prefix: pushQueuePrefix(prefix),
  });
};

async function dm() {
  const [a, b] = [await createTestUser(s.db), await createTestUser(s.db)];
  const conv = await s.db.conversation.create({
    data: {
      type: "GROUP",
      title: "q",
      memberships: { create: [{ userId: a.id }, { userId: b.id }] },
    },
  });
  return { a, b, conversationId: conv.id };
}
const actor = (id: string) => ({ userId: id, role: "USER" as const });

describe("sendMessage → push queue", () => {
  it("adds one fan-out job per message before the ack; a retried send adds nothing", async () => {
    const { a, conversationId } = await dm();
    const clientMsgId = randomUUID();
    const sent = await sendMessage(s, {
      actor: actor(a.id),
      conversationId,
      clientMsgId,
      body: "hi",
    });
    const q = await queue();
    const job = await q.getJob(`f.${sent.messageId}`);
    expect(job?.name).toBe("fanout");
    expect(job?.data).toEqual({
      messageId: sent.messageId,
      conversationId,
      seq: sent.seq,
      senderId: a.id,
      mentionedUserIds: [],
    });
    const again = await sendMessage(s, {
      actor: actor(a.id),
      conversationId,
      clientMsgId,
      body: "hi",
    });
    expect(again).toEqual(sent);
    const fanouts = (await q.getJobs(["wait", "delayed", "prioritized"])).filter(
      (j) => j.name === "fanout" && (j.data as { messageId: string }).messageId === sent.messageId,
    );
    expect(fanouts).toHaveLength(1);
    await q.close();
  });

  it("a failed enqueue still acks the stored message (never UNAVAILABLE once stored); a retry stores once and enqueues", async () => {
    const { a, conversationId } = await dm();
    const clientMsgId = randomUUID();
    const real = s.push;
    const failing = { ...real, messageStored: () => Promise.reject(new Error("redis down")) };
    const first = await sendMessage(
      { ...s, push: failing },
      { actor: actor(a.id), conversationId, clientMsgId, body: "durable" },
    );
    // The reservation stays "not stored": the send is not finished until its job is queued.
    const record = JSON.parse(
      (await s.redis.get(s.keys.dedup(conversationId, a.id, clientMsgId)))!,
    ) as { stored: boolean };
    expect(record.stored).toBe(false);

    const sent = await sendMessage(s, {
      actor: actor(a.id),
      conversationId,
      clientMsgId,
      body: "durable",
    });
    expect(sent).toEqual(first);
    const q = await queue();
    expect((await q.getJob(`f.${sent.messageId}`))?.name).toBe("fanout");
    await q.close();
    const page = await s.messages.page(conversationId, { limit: 10 });
    expect(page.messages.map((m) => m.id)).toEqual([sent.messageId]);
  });
});

describe("markReceipt → clear", () => {
  it("enqueues a clear only when one of the reader's devices shows that conversation", async () => {
    const { a, b, conversationId } = await dm();
    const first = await sendMessage(s, {
      actor: actor(a.id),
      conversationId,
      clientMsgId: randomUUID(),
      body: "1",
    });
    await markReceipt(s, { actor: actor(b.id), kind: "read", conversationId, seq: first.seq });
    const q = await queue();
    const clearId = (seq: number) => `c.${b.id}.${conversationId}.${seq}`;

    const second = await sendMessage(s, {
      actor: actor(a.id),
      conversationId,
      clientMsgId: randomUUID(),
      body: "2",
    });
    // As the worker records it after a push to one of b's devices.
    await s.redis.hset(pushKeys(prefix).shown(b.id, conversationId), randomUUID(), second.seq);
    // The clear is enqueued off the receipt's path: wait for it on the queue's event stream.
    const { QueueEvents } = await loadBullMQ();
    const eventsRedis = new Redis(testEnv().REDIS_URL, { maxRetriesPerRequest: null });
    const events = new QueueEvents(PUSH_QUEUE, {
      connection: eventsRedis,
      prefix: pushQueuePrefix(prefix),
    });
    await events.waitUntilReady();
    const added = new Promise<boolean>((resolve) =>
      events.on("added", ({ jobId }) => jobId === clearId(second.seq) && resolve(true)),
    );
    await markReceipt(s, { actor: actor(b.id), kind: "read", conversationId, seq: second.seq });
    expect(await added).toBe(true);
    expect((await q.getJob(clearId(second.seq)))?.data).toEqual({
      userId: b.id,
      conversationId,
      readSeq: second.seq,
    });
    // The read with nothing shown (the earlier one) added none.
    expect(await q.getJob(clearId(first.seq))).toBeUndefined();
    await events.close();
    eventsRedis.disconnect();
    await q.close();
  });

  it("pushQueueStats reports the queue", async () => {
    const stats = await s.push.stats();
    expect(stats.waiting).toBeGreaterThan(0);
    expect(stats).toMatchObject({ active: 0, failed: 0, deadLettered: 0 });
  });
});
