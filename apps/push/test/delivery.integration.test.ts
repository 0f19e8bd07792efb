// The push pipeline end to end: a real worker process, the real stores, both
// stand-ins (firebase-admin and apns2 talk to them), messages sent through
// core's sendMessage, reads through markReceipt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markReceipt } from "@relay/core";
import type { TReceived } from "@relay/push-standins";
import {
  actorOf,
  addDevice,
  createConversation,
  createUser,
  startPushCluster,
  type PushCluster,
} from "./helpers";

let c: PushCluster;
beforeAll(async () => {
  c = await startPushCluster();
  await c.startWorker();
});
afterAll(() => c?.close());

const forToken = (token: string) => (r: TReceived) => r.token === token;
type TApnsBody = {
  aps: { alert?: { title: string; body: string }; badge?: number; "content-available"?: number };
  relay: Record<string, string>;
};
/** The wire format firebase-admin sends (snake_case, as FCM HTTP v1 defines it). */
type TFcmBody = {
  message: {
    notification?: { title: string; body: string };
    data: Record<string, string>;
    android: {
      collapse_key: string;
      priority: string;
      notification?: { tag: string; notification_count: number };
    };
  };
};

describe("an offline member", () => {
  it("gets one push per collapse window on each device, with title, badge and collapse id, then a clear when they read", async () => {
    const alice = await createUser(c.stores, "Alice");
    const bob = await createUser(c.stores, "Bob");
    const conv = await createConversation(c.stores, "DIRECT", [alice, bob]);
    const [fcm, apns] = [
      await addDevice(c.stores, bob.id, "FCM"),
      await addDevice(c.stores, bob.id, "APNS"),
    ];

    const first = await c.send(alice, conv, "hello bob");
    const [f1, a1] = await Promise.all([
      c.standins.fcm.recorder.waitFor(forToken(fcm.token)),
      c.standins.apns.recorder.waitFor(forToken(apns.token)),
    ]);
    const fb = f1.body as TFcmBody;
    expect(fb.message.notification).toEqual({ title: "Alice", body: "hello bob" });
    expect(fb.message.android).toMatchObject({ collapse_key: conv, priority: "high" });
    expect(fb.message.android.notification).toMatchObject({ tag: conv, notification_count: 1 });
    expect(fb.message.data).toMatchObject({
      type: "message",
      conversationId: conv,
      messageId: first.messageId,
      badge: "1",
    });
    const ab = a1.body as TApnsBody;
    expect(ab.aps.alert).toEqual({ title: "Alice", body: "hello bob" });
    expect(ab.aps.badge).toBe(1);
    expect(a1.headers["apns-collapse-id"]).toBe(conv);
    expect(a1.headers["apns-push-type"]).toBe("alert");
    expect(a1.headers["apns-topic"]).toBe(c.standins.apns.topic);

    // A burst inside the window: nothing now, one update at the window's end with the latest text and badge 3.
    await c.send(alice, conv, "second");
    const third = await c.send(alice, conv, "third");
    const [f2, a2] = await Promise.all([
      c.standins.fcm.recorder.waitFor((r) => r.token === fcm.token && r.n > f1.n),
      c.standins.apns.recorder.waitFor((r) => r.token === apns.token && r.n > a1.n),
    ]);
    expect((f2.body as TFcmBody).message.notification).toEqual({ title: "Alice", body: "third" });
    expect((f2.body as TFcmBody).message.data).toMatchObject({
      messageId: third.messageId,
      badge: "3",
    });
    expect((a2.body as TApnsBody).aps).toMatchObject({ badge: 3, alert: { body: "third" } });
    expect(Date.parse(f2.at) - Date.parse(f1.at)).toBeGreaterThanOrEqual(1000);

    // Bob reads on the web: a silent clear follows on both phones, badge 0.
    await markReceipt(c.stores, {
      actor: actorOf(bob),
      kind: "read",
      conversationId: conv,
      seq: third.seq,
    });
    const [f3, a3] = await Promise.all([
      c.standins.fcm.recorder.waitFor((r) => r.token === fcm.token && r.n > f2.n),
      c.standins.apns.recorder.waitFor((r) => r.token === apns.token && r.n > a2.n),
    ]);
    expect((f3.body as TFcmBody).message).toMatchObject({
      data: { type: "clear", conversationId: conv, badge: "0" },
    });
    expect((f3.body as TFcmBody).message.notification).toBeUndefined();
    expect((a3.body as TApnsBody).aps).toEqual({ "content-available": 1, badge: 0 });
    expect(a3.headers["apns-push-type"]).toBe("background");

    // Nothing else: a later push (a new message) is the next thing each device receives.
    const later = await c.send(alice, conv, "after reading");
    const f4 = await c.standins.fcm.recorder.waitFor((r) => r.token === fcm.token && r.n > f3.n);
    expect((f4.body as TFcmBody).message.data.messageId).toBe(later.messageId);
    expect(c.standins.fcm.recorder.received.filter(forToken(fcm.token))).toHaveLength(4);
  });
});

describe("privacy modes", () => {
  it("sender only shows who wrote; id only shows nothing but ids (FCM data-only, APNs for the app's extension)", async () => {
    const alice = await createUser(c.stores, "Alice");
    const bob = await createUser(c.stores, "Bob");
    const carol = await createUser(c.stores, "Carol");
    await c.stores.db.user.update({ where: { id: bob.id }, data: { pushPreview: "SENDER" } });
    await c.stores.db.user.update({ where: { id: carol.id }, data: { pushPreview: "ID_ONLY" } });
    const group = await createConversation(c.stores, "GROUP", [alice, bob, carol], "Plans");
    const bobPhone = await addDevice(c.stores, bob.id, "APNS");
    const carolFcm = await addDevice(c.stores, carol.id, "FCM");
    const carolApns = await addDevice(c.stores, carol.id, "APNS");

    const sent = await c.send(alice, group, "the secret plan");
    const [b, cf, ca] = await Promise.all([
      c.standins.apns.recorder.waitFor(forToken(bobPhone.token)),
      c.standins.fcm.recorder.waitFor(forToken(carolFcm.token)),
      c.standins.apns.recorder.waitFor(forToken(carolApns.token)),
    ]);
    expect((b.body as TApnsBody).aps.alert).toEqual({
      title: "Plans",
      body: "Alice sent a message",
    });
    const fcmMessage = (cf.body as TFcmBody).message;
    expect(fcmMessage.notification).toBeUndefined();
    expect(fcmMessage.data).toMatchObject({
      type: "message",
      conversationId: group,
      messageId: sent.messageId,
    });
    expect((ca.body as TApnsBody).aps).toMatchObject({
      alert: { title: "Relay", body: "New message" },
      "mutable-content": 1,
    });
    for (const r of [b, cf, ca]) expect(JSON.stringify(r.body)).not.toContain("secret plan");
    for (const r of [cf, ca]) expect(JSON.stringify(r.body)).not.toContain("Alice");
  });
});
