// Payloads per privacy mode and provider, and the 4 KiB limit.
import { describe, expect, it } from "vitest";
import {
  buildApnsPush,
  buildFcmMessage,
  notificationText,
  PUSH_PAYLOAD_MAX_BYTES,
  PushPayloadError,
  truncateText,
  type TPushContent,
} from "./payload";

const CONV = "6f1c2b9e-4d8a-4f3e-9a1b-2c3d4e5f6a7b";
const message = (over: Partial<Extract<TPushContent, { kind: "message" }>> = {}): TPushContent => ({
  kind: "message",
  pushId: "d.m.d",
  preview: "full",
  conversationId: CONV,
  conversationType: "DIRECT",
  conversationTitle: null,
  senderName: "Alice",
  body: "see you at 5",
  messageId: "11111111-2222-4333-8444-555555555555",
  seq: 7,
  badge: 3,
  ...over,
});
const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe("notificationText per privacy mode", () => {
  it("full: the text; sender: who wrote; id_only: nothing", () => {
    expect(notificationText(message())).toEqual({ title: "Alice", body: "see you at 5" });
    expect(
      notificationText(message({ conversationType: "GROUP", conversationTitle: "Team" })),
    ).toEqual({
      title: "Team",
      body: "Alice: see you at 5",
    });
    expect(notificationText(message({ preview: "sender" }))).toEqual({
      title: "Alice",
      body: "New message",
    });
    expect(
      notificationText(
        message({ preview: "sender", conversationType: "GROUP", conversationTitle: "Team" }),
      ),
    ).toEqual({ title: "Team", body: "Alice sent a message" });
    for (const c of [
      message({ preview: "id_only" }),
      message({ preview: "id_only", conversationType: "GROUP" }),
    ]) {
      const text = notificationText(c)!;
      expect(text).toEqual({ title: "Relay", body: "New message" });
      expect(JSON.stringify(text)).not.toContain("Alice");
    }
  });
});

describe("FCM", () => {
  it("collapses per conversation and carries the badge and ids", () => {
    const m = buildFcmMessage(message(), "tok");
    expect(m).toMatchObject({
      token: "tok",
      notification: { title: "Alice", body: "see you at 5" },
      data: { type: "message", conversationId: CONV, seq: "7", badge: "3", pushId: "d.m.d" },
      android: {
        priority: "high",
        collapseKey: CONV,
        notification: { tag: CONV, notificationCount: 3 },
      },
      apns: {
        headers: { "apns-collapse-id": CONV },
        payload: { aps: { badge: 3, threadId: CONV } },
      },
    });
  });
  it("id_only is data-only on Android and content-free everywhere", () => {
    const m = buildFcmMessage(message({ preview: "id_only" }), "tok");
    expect(m.notification).toBeUndefined();
    expect(JSON.stringify(m)).not.toMatch(/Alice|see you/);
    expect(m.apns?.payload?.aps).toMatchObject({ mutableContent: true, badge: 3 });
  });
  it("a clear is silent: data only, normal priority, background on iOS", () => {
    const m = buildFcmMessage(
      { kind: "clear", pushId: "c", conversationId: CONV, readSeq: 9, badge: 0 },
      "tok",
    );
    expect(m).toMatchObject({
      data: { type: "clear", conversationId: CONV, readSeq: "9", badge: "0" },
      android: { priority: "normal" },
      apns: {
        headers: { "apns-push-type": "background" },
        payload: { aps: { contentAvailable: true, badge: 0 } },
      },
    });
    expect(m.notification).toBeUndefined();
  });
});

describe("APNs", () => {
  it("alert with thread-id, collapse id and badge", () => {
    const p = buildApnsPush(message());
    expect(p.options).toMatchObject({ type: "alert", priority: 10, collapseId: CONV });
    expect(p.body).toEqual({
      aps: {
        alert: { title: "Alice", body: "see you at 5" },
        badge: 3,
        "thread-id": CONV,
        sound: "default",
      },
      relay: {
        type: "message",
        pushId: "d.m.d",
        conversationId: CONV,
        messageId: "11111111-2222-4333-8444-555555555555",
        seq: "7",
        badge: "3",
      },
    });
  });
  it("id_only asks the app's extension for the content; a clear is a background push", () => {
    expect(buildApnsPush(message({ preview: "id_only" })).body.aps).toMatchObject({
      "mutable-content": 1,
    });
    const clear = buildApnsPush({
      kind: "clear",
      pushId: "c",
      conversationId: CONV,
      readSeq: 9,
      badge: 2,
    });
    expect(clear.options).toMatchObject({ type: "background", priority: 5 });
    expect(clear.body.aps).toEqual({ "content-available": 1, badge: 2 });
  });
});

describe("the 4 KiB limit", () => {
  it("shortens a long preview (multi-byte text included) to fit both providers", () => {
    const body = "😀".repeat(4000);
    const group = {
      conversationType: "GROUP" as const,
      conversationTitle: "x".repeat(100),
      senderName: "y".repeat(100),
    };
    const fcm = buildFcmMessage(message({ body, ...group }), "tok");
    const apns = buildApnsPush(message({ body, ...group }));
    expect(size({ ...fcm, token: "" })).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(size(apns.body)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(fcm.notification?.body?.endsWith("…")).toBe(true);
  });
  it("fits as much as possible when even the preview cap does not fit", () => {
    const hugeName = "n".repeat(3500);
    const p = buildApnsPush(message({ senderName: hugeName, body: "b".repeat(1000) }));
    expect(size(p.body)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(size(p.body)).toBeGreaterThan(PUSH_PAYLOAD_MAX_BYTES - 20);
  });
  it("refuses what cannot fit at all", () => {
    expect(() => buildApnsPush(message({ senderName: "n".repeat(5000) }))).toThrow(
      PushPayloadError,
    );
    expect(() =>
      buildFcmMessage(message({ preview: "sender", senderName: "n".repeat(5000) }), "t"),
    ).toThrow(PushPayloadError);
  });
  it("truncateText cuts on code points", () => {
    expect(truncateText("abc", 3)).toBe("abc");
    expect(truncateText("😀😀😀😀", 3)).toBe("😀😀…");
  });
});
