// Who gets a push, with live sockets on a real realtime node (its presence is
// what the worker reads): never the sender, never a member with an online
// socket or a mute; an away member once away PUSH_AWAY_DELAY_S (2 s here);
// and nobody who read the message before the worker got to it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TReceived } from "@relay/push-standins";
import type { TMessageSendResult } from "@relay/shared/schemas";
import {
  ack,
  addDevice,
  connectAs,
  createConversation,
  createUser,
  startPushCluster,
  type PushCluster,
  type TestSocket,
} from "./helpers";

let c: PushCluster;
let url: string;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  c = await startPushCluster();
  const [, rt] = await Promise.all([c.startWorker(), c.startRealtime()]);
  url = rt.url;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await c?.close();
});

const connect = async (u: Parameters<typeof connectAs>[1]) => {
  const s = await connectAs(url, u);
  sockets.push(s);
  return s;
};
const tokens = (list: TReceived[]) => list.map((r) => r.token);
const allReceived = () => [
  ...c.standins.fcm.recorder.received,
  ...c.standins.apns.recorder.received,
];

describe("recipients", () => {
  it("pushes an offline member only: not the sender, not an online member, not a muted one", async () => {
    const [sender, online, offline, muted] = await Promise.all(
      ["Sender", "Online", "Offline", "Muted"].map((n) => createUser(c.stores, n)),
    );
    const conv = await createConversation(
      c.stores,
      "GROUP",
      [sender!, online!, offline!, muted!],
      "Team",
    );
    await c.stores.db.membership.update({
      where: { conversationId_userId: { conversationId: conv, userId: muted!.id } },
      data: { mutedUntil: new Date(Date.now() + 3600_000) },
    });
    const devices = {
      sender: await addDevice(c.stores, sender!.id, "APNS"),
      online: await addDevice(c.stores, online!.id, "FCM"),
      offline: await addDevice(c.stores, offline!.id, "APNS"),
      muted: await addDevice(c.stores, muted!.id, "FCM"),
    };
    const senderSocket = await connect(sender!);
    const onlineSocket = await connect(online!);
    // The online member's presence is written by the node's connect handling; wait until it is visible.
    await ack(onlineSocket, "presence:set", { status: "online" });

    const sent = await ack<TMessageSendResult>(senderSocket, "message:send", {
      conversationId: conv,
      clientMsgId: randomUUID(),
      body: "standup in 5",
    });
    const push = await c.standins.apns.recorder.waitFor((r) => r.token === devices.offline.token);
    expect((push.body as { aps: { alert: unknown } }).aps.alert).toEqual({
      title: "Team",
      body: "Sender: standup in 5",
    });
    // The fan-out's result is the later event: it has decided every member, and queued one delivery.
    const fanout = await c.finished<{ deliveries: number; skipped: Record<string, number> }>(
      `f.${sent.messageId}`,
    );
    expect(fanout).toMatchObject({ deliveries: 1, skipped: { sender: 1, online: 1, muted: 1 } });
    const got = tokens(allReceived());
    for (const d of [devices.sender, devices.online, devices.muted])
      expect(got).not.toContain(d.token);
  });

  it("pushes an away member once away long enough, and nobody who read it first", async () => {
    const [alice, bob, carol] = await Promise.all(
      ["Alice", "Bob", "Carol"].map((n) => createUser(c.stores, n)),
    );
    const conv = await createConversation(c.stores, "GROUP", [alice!, bob!, carol!], "Trio");
    const bobPhone = await addDevice(c.stores, bob!.id, "FCM");
    const carolPhone = await addDevice(c.stores, carol!.id, "FCM");
    const aliceSocket = await connect(alice!);
    const bobSocket = await connect(bob!);
    const carolSocket = await connect(carol!);
    await ack(bobSocket, "presence:set", { status: "away" });
    await ack(carolSocket, "presence:set", { status: "away" });

    const t0 = Date.now();
    const sent = await ack<TMessageSendResult>(aliceSocket, "message:send", {
      conversationId: conv,
      clientMsgId: randomUUID(),
      body: "are you there?",
    });
    // Carol reads it on her desktop before her away delay is over; Bob does not.
    await ack(carolSocket, "receipt:read", { conversationId: conv, seq: sent.seq });

    const bobPush = await c.standins.fcm.recorder.waitFor((r) => r.token === bobPhone.token);
    expect(Date.parse(bobPush.at) - t0).toBeGreaterThanOrEqual(1750);
    // Carol's delivery ran (the later event) and found the message read.
    expect(await c.finished(`d.${sent.messageId}.${carolPhone.id}`)).toEqual({
      outcome: "skipped",
      reason: "read",
    });
    expect(tokens(c.standins.fcm.recorder.received)).not.toContain(carolPhone.token);
  });
});
