// A worker SIGKILLed with a thousand pushes queued: after a restart every push
// is delivered, and none twice except possibly those that were in flight at
// the kill (the provider may have accepted them before the worker could note
// it; no provider API offers an idempotency key). Those repeats carry the
// same push id and collapse id, so the phone shows one notification.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sendMessage } from "@relay/core";
import type { TReceived } from "@relay/push-standins";
import {
  apnsToken,
  createUser,
  fcmToken,
  startPushCluster,
  TEST_WORKER_ENV,
  type PushCluster,
} from "./helpers";

let c: PushCluster;
beforeAll(async () => {
  c = await startPushCluster();
});
afterAll(() => c?.close());

const GROUPS = 4;
const PER_GROUP = 250;

it(
  "SIGKILL mid-queue and restart: all 1,000 pushes are sent; only those in flight at the kill repeat, identically",
  { timeout: 120_000 },
  async () => {
    const sender = await createUser(c.stores, "Broadcaster");
    const ids = Array.from({ length: GROUPS * PER_GROUP }, () => randomUUID());
    await c.stores.db.user.createMany({
      data: ids.map((id, i) => ({ id, email: `crash-${id}@test.relay`, name: `Member ${i}` })),
    });
    const devices = ids.map((userId, i) => ({
      id: randomUUID(),
      userId,
      platform: i % 2 ? ("APNS" as const) : ("FCM" as const),
      token: i % 2 ? apnsToken() : fcmToken(),
    }));
    await c.stores.db.device.createMany({ data: devices });
    const convs: string[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const conv = await c.stores.db.conversation.create({
        data: {
          type: "GROUP",
          title: `Crash ${g}`,
          memberships: { create: [{ userId: sender.id, role: "OWNER" }] },
        },
      });
      await c.stores.db.membership.createMany({
        data: ids
          .slice(g * PER_GROUP, (g + 1) * PER_GROUP)
          .map((userId) => ({ conversationId: conv.id, userId })),
      });
      convs.push(conv.id);
    }
    // Queue everything before any worker runs: 4 fan-outs → 1,000 deliveries.
    const messageOf = new Map<string, string>();
    for (const [g, conv] of convs.entries()) {
      const sent = await sendMessage(c.stores, {
        actor: { userId: sender.id, role: "USER" },
        conversationId: conv,
        clientMsgId: randomUUID(),
        body: "everyone: fire drill",
      });
      for (const userId of ids.slice(g * PER_GROUP, (g + 1) * PER_GROUP))
        messageOf.set(userId, sent.messageId);
    }

    const tokens = new Set(devices.map((d) => d.token));
    const accepted = () =>
      [...c.standins.fcm.recorder.received, ...c.standins.apns.recorder.received].filter(
        (r) => r.status === 200 && tokens.has(r.token),
      );
    const both = [c.standins.fcm.recorder, c.standins.apns.recorder];
    const waitAccepted = (n: number, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (new Set(accepted().map((r) => r.token)).size < n) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`only ${new Set(accepted().map((r) => r.token)).size}/${n} devices reached`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          for (const r of both) r.off("request", check);
        };
        for (const r of both) r.on("request", check);
        check();
      });

    const first = await c.startWorker({ PUSH_CONCURRENCY: TEST_WORKER_ENV.PUSH_CONCURRENCY! });
    await waitAccepted(150, 60_000);
    await first.stop("SIGKILL");
    const atKill = new Set(accepted().map((r) => r.token)).size;
    expect(atKill).toBeLessThan(tokens.size);

    await c.startWorker();
    await waitAccepted(tokens.size, 90_000);

    const byToken = new Map<string, TReceived[]>();
    for (const r of accepted()) byToken.set(r.token, [...(byToken.get(r.token) ?? []), r]);
    expect(byToken.size).toBe(tokens.size);
    const repeated = [...byToken.values()].filter((list) => list.length > 1);
    // Only pushes in flight at the kill may repeat, identically.
    expect(repeated.length).toBeLessThanOrEqual(Number(TEST_WORKER_ENV.PUSH_CONCURRENCY));
    const pushIdOf = (r: TReceived) => JSON.stringify(r.body).match(/"pushId":"([^"]+)"/)?.[1];
    for (const list of repeated) expect(new Set(list.map(pushIdOf)).size).toBe(1);
    console.log(
      `crash test: ${atKill} devices reached before SIGKILL, ${tokens.size} after restart, ${repeated.length} in-flight repeats`,
    );
    // Every delivery job then completes (its last steps follow the provider's answer), and
    // nothing is left behind: no job waiting, running or failed.
    await Promise.all(
      devices.map((d) => c.finished(`d.${messageOf.get(d.userId)}.${d.id}`, 30_000)),
    );
    const stats = await c.stores.push.stats();
    expect(stats).toMatchObject({ waiting: 0, active: 0, failed: 0, deadLettered: 0 });
  },
);
