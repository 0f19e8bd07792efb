// Provider failures through the real client libraries: retries with backoff
// honouring Retry-After, token hygiene on precise codes only, the
// dead-letter queue and its replay, and payloads that must be refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TReceived } from "@relay/push-standins";
import {
  addDevice,
  createConversation,
  createUser,
  startPushCluster,
  type PushCluster,
} from "./helpers";

let c: PushCluster;
beforeAll(async () => {
  // 3 attempts, backoff 200 ms · 2^(n−1) (jittered), at most 2 s.
  c = await startPushCluster();
  await c.startWorker();
});
afterAll(() => c?.close());

/** A sender, a recipient with one device of `platform`, and their DM. */
async function pair(platform: "FCM" | "APNS") {
  const [from, to] = [await createUser(c.stores, "From"), await createUser(c.stores, "To")];
  const conv = await createConversation(c.stores, "DIRECT", [from, to]);
  const device = await addDevice(c.stores, to.id, platform);
  return { from, to, conv, device };
}
const recorderOf = (platform: "FCM" | "APNS") =>
  platform === "FCM" ? c.standins.fcm.recorder : c.standins.apns.recorder;
const of = (token: string) => (r: TReceived) => r.token === token;

describe("transient failures", () => {
  it("FCM 503 with Retry-After: 1 → retried after at least a second, then delivered once", async () => {
    const p = await pair("FCM");
    c.standins.fcm.failNext({
      token: p.device.token,
      status: 503,
      reason: "UNAVAILABLE",
      retryAfter: "1",
    });
    const sent = await c.send(p.from, p.conv, "eventually");
    const ok = await c.standins.fcm.recorder.waitFor(
      (r) => of(p.device.token)(r) && r.status === 200,
    );
    const all = c.standins.fcm.recorder.received.filter(of(p.device.token));
    expect(all.map((r) => r.status)).toEqual([503, 200]);
    expect(Date.parse(ok.at) - Date.parse(all[0]!.at)).toBeGreaterThanOrEqual(1000);
    expect(await c.finished(`d.${sent.messageId}.${p.device.id}`)).toMatchObject({
      outcome: "sent",
    });
  });

  it("APNs 503 ServiceUnavailable → exponential backoff, then delivered once", async () => {
    const p = await pair("APNS");
    c.standins.apns.failNext({
      token: p.device.token,
      status: 503,
      reason: "ServiceUnavailable",
      times: 2,
    });
    await c.send(p.from, p.conv, "after two failures");
    await c.standins.apns.recorder.waitFor((r) => of(p.device.token)(r) && r.status === 200);
    const all = c.standins.apns.recorder.received.filter(of(p.device.token));
    expect(all.map((r) => r.status)).toEqual([503, 503, 200]);
    // Equal jitter: the n-th wait is at least half of 200 ms · 2^(n−1).
    expect(Date.parse(all[1]!.at) - Date.parse(all[0]!.at)).toBeGreaterThanOrEqual(100);
    expect(Date.parse(all[2]!.at) - Date.parse(all[1]!.at)).toBeGreaterThanOrEqual(200);
  });
});

describe("token hygiene", () => {
  it.each([
    ["APNS", 410, "Unregistered", "apns:Unregistered"],
    ["APNS", 400, "BadDeviceToken", "apns:BadDeviceToken"],
    ["FCM", 404, "UNREGISTERED", "fcm:UNREGISTERED"],
    ["FCM", 403, "SENDER_ID_MISMATCH", "fcm:SENDER_ID_MISMATCH"],
  ] as const)(
    "%s %i %s → device disabled and never used again",
    async (platform, status, reason, stored) => {
      const p = await pair(platform);
      const spare = await addDevice(c.stores, p.to.id, platform);
      recorderOf(platform).failToken(p.device.token, { status, reason });
      const first = await c.send(p.from, p.conv, "to a dead token");
      expect(await c.finished(`d.${first.messageId}.${p.device.id}`)).toEqual({
        outcome: "token_disabled",
        reason: stored,
      });
      const row = await c.stores.db.device.findUniqueOrThrow({ where: { id: p.device.id } });
      expect(row.disabledAt).not.toBeNull();
      expect(row.disabledReason).toBe(stored);
      // A later message reaches the other device (the later event) and not the dead one.
      const conv2 = await createConversation(c.stores, "GROUP", [p.from, p.to], "Later");
      const later = await c.send(p.from, conv2, "later");
      await recorderOf(platform).waitFor(
        (r) =>
          of(spare.token)(r) &&
          r.body !== undefined &&
          JSON.stringify(r.body).includes(later.messageId),
      );
      expect(recorderOf(platform).received.filter(of(p.device.token))).toHaveLength(1);
    },
  );

  it("FCM INVALID_ARGUMENT → failure recorded, token kept, not retried", async () => {
    const p = await pair("FCM");
    c.standins.fcm.failNext({ token: p.device.token, status: 400, reason: "INVALID_ARGUMENT" });
    const sent = await c.send(p.from, p.conv, "refused once");
    expect(await c.finished(`d.${sent.messageId}.${p.device.id}`)).toEqual({
      outcome: "rejected",
      reason: "fcm:INVALID_ARGUMENT",
    });
    const row = await c.stores.db.device.findUniqueOrThrow({ where: { id: p.device.id } });
    expect(row).toMatchObject({
      disabledAt: null,
      failureCount: 1,
      lastFailureReason: "fcm:INVALID_ARGUMENT",
    });
    expect(c.standins.fcm.recorder.received.filter(of(p.device.token))).toHaveLength(1);
    // The token still works; a success resets the failure count.
    const conv2 = await createConversation(c.stores, "GROUP", [p.from, p.to], "Again");
    await c.send(p.from, conv2, "works again");
    await c.standins.fcm.recorder.waitFor((r) => of(p.device.token)(r) && r.status === 200);
    const after = await c.finished<{ outcome: string }>(
      `d.${await lastMessageId(conv2)}.${p.device.id}`,
    );
    expect(after.outcome).toBe("sent");
    expect(
      (await c.stores.db.device.findUniqueOrThrow({ where: { id: p.device.id } })).failureCount,
    ).toBe(0);
  });
});

async function lastMessageId(conversationId: string): Promise<string> {
  const page = await c.stores.messages.page(conversationId, { limit: 1 });
  return page.messages[0]!.id;
}

describe("the dead-letter queue", () => {
  it("takes a push after its last attempt; replay delivers it", async () => {
    const p = await pair("APNS");
    c.standins.apns.failNext({
      token: p.device.token,
      status: 500,
      reason: "InternalServerError",
      times: 3,
    });
    const sent = await c.send(p.from, p.conv, "will be replayed");
    const jobId = `d.${sent.messageId}.${p.device.id}`;
    expect(await c.finished(jobId)).toEqual({
      outcome: "dead_lettered",
      reason: "apns:InternalServerError",
    });
    expect(
      c.standins.apns.recorder.received.filter(of(p.device.token)).map((r) => r.status),
    ).toEqual([500, 500, 500]);
    const letters = await c.stores.push.deadLetters.list();
    expect(letters.find((l) => l.id === jobId)).toMatchObject({
      name: "deliver",
      attemptsMade: 3,
      failedReason: "apns:InternalServerError",
    });

    expect(await c.stores.push.deadLetters.replay([jobId])).toBe(1);
    const ok = await c.standins.apns.recorder.waitFor(
      (r) => of(p.device.token)(r) && r.status === 200,
    );
    expect((ok.body as { relay: { messageId: string } }).relay.messageId).toBe(sent.messageId);
    expect((await c.stores.push.deadLetters.list()).some((l) => l.id === jobId)).toBe(false);
  });
});

describe("bad and oversized payloads", () => {
  it("a malformed job is dead-lettered as invalid, and the worker goes on", async () => {
    const { loadBullMQ, pushQueuePrefix, PUSH_QUEUE } = await import("@relay/core");
    const { Queue } = await loadBullMQ();
    const q = new Queue(PUSH_QUEUE, {
      connection: c.stores.duplicateRedis("t"),
      prefix: pushQueuePrefix(c.prefix),
    });
    await q.add("deliver", { messageId: "not-a-uuid", seq: -1 }, { jobId: "bad-job-1" });
    await q.add("no-such-kind", { hello: 1 }, { jobId: "bad-job-2" });
    await q.close();
    expect(await c.finished("bad-job-1")).toEqual({
      outcome: "dead_lettered",
      reason: "invalid_job",
    });
    expect(await c.finished("bad-job-2")).toEqual({
      outcome: "dead_lettered",
      reason: "invalid_job",
    });
    const p = await pair("FCM");
    await c.send(p.from, p.conv, "still working");
    await c.standins.fcm.recorder.waitFor(of(p.device.token));
  });

  it("a 4,000-character message is shortened to fit 4 KiB on both providers (which refuse more)", async () => {
    const [from, to] = [await createUser(c.stores, "Long"), await createUser(c.stores, "Reader")];
    const conv = await createConversation(c.stores, "DIRECT", [from, to]);
    const fcm = await addDevice(c.stores, to.id, "FCM");
    const apns = await addDevice(c.stores, to.id, "APNS");
    await c.send(from, conv, "😀".repeat(4000));
    const [f, a] = await Promise.all([
      c.standins.fcm.recorder.waitFor(of(fcm.token)),
      c.standins.apns.recorder.waitFor(of(apns.token)),
    ]);
    expect(f.status).toBe(200);
    expect(a.status).toBe(200);
    const fBody = (f.body as { message: { notification: { body: string } } }).message.notification
      .body;
    expect(fBody.endsWith("…")).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(a.body))).toBeLessThanOrEqual(4096);
  });
});
