import { describe, expect, it } from "vitest";
import {
  ZAckErrorSchema,
  ZAddMembersRequestSchema,
  ZAuthTokensSchema,
  ZConversationSettingsRequestSchema,
  ZConversationSummarySchema,
  ZConversationUpdatedEventSchema,
  ZCreateConversationRequestSchema,
  ZMessageSchema,
  ZMessageSendResultSchema,
  ZReceiptEventSchema,
  ZRegisterDeviceRequestSchema,
  ZSignupRequestSchema,
  ZSyncResultSchema,
  ZTokenRequestSchema,
  ZUserPublicSchema,
  ZUserSearchQuerySchema,
  zAck,
} from "./schemas";

const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
const AT = "2025-01-02T03:04:05.678Z";
const message = {
  id: uuid(1),
  conversationId: uuid(2),
  seq: 7,
  senderId: uuid(3),
  body: "hi",
  kind: "text",
  createdAt: AT,
  editedAt: null,
  deleted: false,
};
const user = { id: uuid(3), name: "Ada", role: "USER", status: "ACTIVE", lastSeenAt: null };

describe("entities", () => {
  it("parses a message and rejects a non-positive seq or bad dates", () => {
    expect(ZMessageSchema.parse({ ...message, clientMsgId: "c1" })).toEqual({
      ...message,
      clientMsgId: "c1",
    });
    expect(ZMessageSchema.safeParse({ ...message, seq: 0 }).success).toBe(false);
    expect(ZMessageSchema.safeParse({ ...message, createdAt: "yesterday" }).success).toBe(false);
    expect(ZMessageSchema.safeParse({ ...message, kind: "image" }).success).toBe(false);
  });

  it("parses a public user with or without email", () => {
    expect(ZUserPublicSchema.parse(user)).toEqual(user);
    expect(
      ZUserPublicSchema.parse({ ...user, email: "ada@example.com", lastSeenAt: AT }).email,
    ).toBe("ada@example.com");
    expect(ZUserPublicSchema.safeParse({ ...user, role: "ROOT" }).success).toBe(false);
  });

  it("parses a conversation summary", () => {
    const summary = {
      id: uuid(2),
      type: "group",
      title: "Team",
      members: [{ userId: uuid(3), role: "OWNER", name: "Ada" }],
      lastMessage: message,
      lastSeq: 7,
      unread: 0,
      mutedUntil: null,
    };
    expect(ZConversationSummarySchema.parse(summary)).toEqual(summary);
    expect(ZConversationSummarySchema.safeParse({ ...summary, unread: -1 }).success).toBe(false);
    expect(
      ZConversationSummarySchema.safeParse({
        ...summary,
        members: [{ userId: uuid(3), role: "KING", name: "x" }],
      }).success,
    ).toBe(false);
  });

  it("strips unknown keys from server data instead of failing", () => {
    expect(ZMessageSchema.parse({ ...message, reactions: [] })).not.toHaveProperty("reactions");
  });
});

describe("auth requests", () => {
  it("normalizes the email on sign-up", () => {
    expect(
      ZSignupRequestSchema.parse({
        email: "  Ada@Example.COM ",
        password: "correct horse",
        name: " Ada ",
      }),
    ).toEqual({
      email: "ada@example.com",
      password: "correct horse",
      name: "Ada",
    });
  });

  it("rejects bad sign-ups", () => {
    const valid = { email: "ada@example.com", password: "12345678", name: "Ada" };
    expect(ZSignupRequestSchema.safeParse(valid).success).toBe(true);
    expect(ZSignupRequestSchema.safeParse({ ...valid, email: "ada" }).success).toBe(false);
    expect(ZSignupRequestSchema.safeParse({ ...valid, password: "1234567" }).success).toBe(false);
    expect(ZSignupRequestSchema.safeParse({ ...valid, password: "x".repeat(201) }).success).toBe(
      false,
    );
    expect(ZSignupRequestSchema.safeParse({ ...valid, name: "n".repeat(81) }).success).toBe(false);
    expect(ZSignupRequestSchema.safeParse({ ...valid, role: "ADMIN" }).success).toBe(false);
  });

  it("does not apply the sign-up password minimum to sign-in", () => {
    expect(ZTokenRequestSchema.safeParse({ email: "a@b.co", password: "short" }).success).toBe(
      true,
    );
    expect(ZTokenRequestSchema.safeParse({ email: "a@b.co", password: "" }).success).toBe(false);
  });

  it("parses token responses", () => {
    const tokens = { accessToken: "a", refreshToken: "r", expiresIn: 900, user };
    expect(ZAuthTokensSchema.parse(tokens)).toEqual(tokens);
    expect(ZAuthTokensSchema.safeParse({ ...tokens, user: undefined }).success).toBe(false);
  });
});

describe("REST requests", () => {
  it("requires a non-empty search query", () => {
    expect(ZUserSearchQuerySchema.parse({ query: " ada " })).toEqual({ query: "ada" });
    expect(ZUserSearchQuerySchema.safeParse({ query: "  " }).success).toBe(false);
    expect(ZUserSearchQuerySchema.safeParse({ query: "q".repeat(101) }).success).toBe(false);
  });

  it("creates direct and group conversations", () => {
    expect(ZCreateConversationRequestSchema.parse({ type: "direct", userId: uuid(1) })).toEqual({
      type: "direct",
      userId: uuid(1),
    });
    const memberIds = Array.from({ length: 499 }, (_, i) => uuid(i));
    expect(
      ZCreateConversationRequestSchema.safeParse({ type: "group", title: "All", memberIds })
        .success,
    ).toBe(true);
  });

  it("rejects bad conversation requests", () => {
    const parse = (v: unknown) => ZCreateConversationRequestSchema.safeParse(v).success;
    expect(parse({ type: "channel", userId: uuid(1) })).toBe(false);
    expect(parse({ userId: uuid(1) })).toBe(false);
    expect(parse({ type: "direct", userId: uuid(1), memberIds: [] })).toBe(false);
    expect(parse({ type: "group", title: "Dupes", memberIds: [uuid(1), uuid(1)] })).toBe(false);
    expect(parse({ type: "group", title: "", memberIds: [] })).toBe(false);
    const tooMany = Array.from({ length: 500 }, (_, i) => uuid(i));
    expect(parse({ type: "group", title: "Big", memberIds: tooMany })).toBe(false);
  });

  it("adds 1..100 distinct members", () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => uuid(i));
    expect(ZAddMembersRequestSchema.safeParse({ userIds: ids(100) }).success).toBe(true);
    expect(ZAddMembersRequestSchema.safeParse({ userIds: ids(101) }).success).toBe(false);
    expect(ZAddMembersRequestSchema.safeParse({ userIds: [] }).success).toBe(false);
    expect(ZAddMembersRequestSchema.safeParse({ userIds: [uuid(1), uuid(1)] }).success).toBe(false);
  });

  it("sets or clears a mute", () => {
    expect(ZConversationSettingsRequestSchema.safeParse({ mutedUntil: null }).success).toBe(true);
    expect(ZConversationSettingsRequestSchema.safeParse({ mutedUntil: AT }).success).toBe(true);
    expect(ZConversationSettingsRequestSchema.safeParse({ mutedUntil: "tomorrow" }).success).toBe(
      false,
    );
    expect(ZConversationSettingsRequestSchema.safeParse({}).success).toBe(false);
  });

  it("registers fcm and apns devices", () => {
    expect(
      ZRegisterDeviceRequestSchema.safeParse({ platform: "apns", token: "t".repeat(4096) }).success,
    ).toBe(true);
    expect(ZRegisterDeviceRequestSchema.safeParse({ platform: "gcm", token: "t" }).success).toBe(
      false,
    );
    expect(ZRegisterDeviceRequestSchema.safeParse({ platform: "fcm", token: "" }).success).toBe(
      false,
    );
    expect(
      ZRegisterDeviceRequestSchema.safeParse({ platform: "fcm", token: "t".repeat(4097) }).success,
    ).toBe(false);
  });
});

describe("acks and events", () => {
  it("validates ack envelopes", () => {
    const SendAck = zAck(ZMessageSendResultSchema);
    const data = { messageId: uuid(1), seq: 1, createdAt: AT };
    expect(SendAck.parse({ ok: true, data })).toEqual({ ok: true, data });
    expect(SendAck.safeParse({ ok: true, data: { ...data, seq: 0 } }).success).toBe(false);
    expect(
      SendAck.safeParse({ ok: false, error: { code: "RATE_LIMITED", message: "slow down" } })
        .success,
    ).toBe(true);
    expect(
      ZAckErrorSchema.safeParse({ ok: false, error: { code: "TEAPOT", message: "" } }).success,
    ).toBe(false);
  });

  it("validates the sync result", () => {
    const result = {
      [uuid(2)]: { lastSeq: 9, unread: 2, readSeqs: { [uuid(3)]: 7 }, changed: [message] },
    };
    expect(ZSyncResultSchema.parse(result)).toEqual(result);
    expect(
      ZSyncResultSchema.safeParse({ [uuid(2)]: { lastSeq: 9, unread: 2, readSeqs: {} } }).success,
    ).toBe(false);
  });

  it("validates server events", () => {
    const receipt = { conversationId: uuid(2), userId: uuid(3), kind: "read", seq: 4 };
    expect(ZReceiptEventSchema.parse(receipt)).toEqual(receipt);
    expect(ZReceiptEventSchema.safeParse({ ...receipt, kind: "seen" }).success).toBe(false);
    expect(
      ZConversationUpdatedEventSchema.safeParse({
        conversationId: uuid(2),
        reason: "members_added",
      }).success,
    ).toBe(true);
    expect(
      ZConversationUpdatedEventSchema.safeParse({ conversationId: uuid(2), reason: "renamed" })
        .success,
    ).toBe(false);
  });
});
