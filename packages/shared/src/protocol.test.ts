import { describe, expect, it } from "vitest";
import { AppError } from "./errors";
import { LIMITS } from "./limits";
import {
  CLIENT_EVENTS,
  CLIENT_PAYLOAD_SCHEMAS,
  isClientEvent,
  parsePayload,
  parsePayloadOrThrow,
  payloadSchemaFor,
} from "./protocol";
import {
  ZCreateConversationRequestSchema,
  ZMessageEditPayloadSchema,
  ZMessageHistoryPayloadSchema,
  ZMessageSendPayloadSchema,
  ZPresenceSetPayloadSchema,
  ZPresenceWatchPayloadSchema,
  ZReceiptPayloadSchema,
  ZSyncPayloadSchema,
} from "./schemas";

const CONV = "0b6f3c1e-6f1a-4c47-9a55-1f0a3cfd9b21";
const MSG = "5d2a8f0e-3b7c-4d61-8e2f-9a4b6c8d0e12";
const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
const send = (overrides: Record<string, unknown> = {}) => ({
  conversationId: CONV,
  clientMsgId: "c-1_A",
  body: "hello",
  ...overrides,
});

function errorOf(result: ReturnType<typeof parsePayload>) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.data)}`);
  return result.error;
}

describe("message:send", () => {
  it("accepts a valid payload and trims the body", () => {
    expect(parsePayload(ZMessageSendPayloadSchema, send({ body: "  hi  " }))).toEqual({
      ok: true,
      data: { conversationId: CONV, clientMsgId: "c-1_A", body: "hi" },
    });
  });

  it("accepts a body of exactly bodyMaxChars", () => {
    const result = parsePayload(
      ZMessageSendPayloadSchema,
      send({ body: "x".repeat(LIMITS.bodyMaxChars) }),
    );
    expect(result.ok).toBe(true);
  });

  it("rejects an over-long body with PAYLOAD_TOO_LARGE", () => {
    const error = errorOf(
      parsePayload(ZMessageSendPayloadSchema, send({ body: "x".repeat(4001) })),
    );
    expect(error).toEqual({ code: "PAYLOAD_TOO_LARGE", message: "body: too long (max 4000)" });
  });

  it("reports PAYLOAD_TOO_LARGE first even with other problems", () => {
    const error = errorOf(
      parsePayload(ZMessageSendPayloadSchema, { conversationId: "nope", body: "x".repeat(5000) }),
    );
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe(
      "body: too long (max 4000); conversationId: invalid uuid; clientMsgId: required",
    );
  });

  it("rejects an empty or blank body", () => {
    for (const body of ["", "   \n\t"]) {
      expect(errorOf(parsePayload(ZMessageSendPayloadSchema, send({ body })))).toEqual({
        code: "INVALID_PAYLOAD",
        message: "body: must not be empty",
      });
    }
  });

  it("rejects a bad conversationId", () => {
    expect(
      errorOf(parsePayload(ZMessageSendPayloadSchema, send({ conversationId: "42" }))),
    ).toEqual({
      code: "INVALID_PAYLOAD",
      message: "conversationId: invalid uuid",
    });
  });

  it("rejects wrong types and missing fields", () => {
    expect(errorOf(parsePayload(ZMessageSendPayloadSchema, send({ body: 42 }))).message).toBe(
      "body: expected a string",
    );
    const { clientMsgId: _omit, ...missing } = send();
    expect(errorOf(parsePayload(ZMessageSendPayloadSchema, missing))).toEqual({
      code: "INVALID_PAYLOAD",
      message: "clientMsgId: required",
    });
  });

  it("rejects a non-object payload", () => {
    for (const input of [null, undefined, "hello", 7, [send()]]) {
      const error = errorOf(parsePayload(ZMessageSendPayloadSchema, input));
      expect(error.code).toBe("INVALID_PAYLOAD");
      expect(error.message).toMatch(/^payload: /);
    }
  });

  it("rejects unknown keys with INVALID_PAYLOAD", () => {
    expect(errorOf(parsePayload(ZMessageSendPayloadSchema, send({ foo: 1 })))).toEqual({
      code: "INVALID_PAYLOAD",
      message: "unknown key: foo",
    });
  });

  it("restricts clientMsgId to 1..64 of [A-Za-z0-9_-]", () => {
    expect(parsePayload(ZMessageSendPayloadSchema, send({ clientMsgId: "a".repeat(64) })).ok).toBe(
      true,
    );
    expect(
      errorOf(parsePayload(ZMessageSendPayloadSchema, send({ clientMsgId: "a".repeat(65) })))
        .message,
    ).toBe("clientMsgId: too long (max 64)");
    expect(
      errorOf(parsePayload(ZMessageSendPayloadSchema, send({ clientMsgId: "a b" }))).message,
    ).toBe("clientMsgId: only letters, digits, '_' and '-' allowed");
    expect(errorOf(parsePayload(ZMessageSendPayloadSchema, send({ clientMsgId: "" }))).code).toBe(
      "INVALID_PAYLOAD",
    );
  });
});

describe("message:edit", () => {
  it("uses the same body rules as send", () => {
    const base = { conversationId: CONV, messageId: MSG };
    expect(parsePayload(ZMessageEditPayloadSchema, { ...base, body: "fixed" }).ok).toBe(true);
    expect(
      errorOf(parsePayload(ZMessageEditPayloadSchema, { ...base, body: "x".repeat(4001) })).code,
    ).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("too_big on fields other than body", () => {
  it("is INVALID_PAYLOAD", () => {
    const error = errorOf(
      parsePayload(ZCreateConversationRequestSchema, {
        type: "group",
        title: "t".repeat(101),
        memberIds: [],
      }),
    );
    expect(error).toEqual({ code: "INVALID_PAYLOAD", message: "title: too long (max 100)" });
  });
});

describe("message:history", () => {
  it("accepts a cursor in either direction", () => {
    expect(parsePayload(ZMessageHistoryPayloadSchema, { conversationId: CONV }).ok).toBe(true);
    expect(
      parsePayload(ZMessageHistoryPayloadSchema, {
        conversationId: CONV,
        beforeSeq: 10,
        limit: 100,
      }).ok,
    ).toBe(true);
    expect(
      parsePayload(ZMessageHistoryPayloadSchema, { conversationId: CONV, afterSeq: 0, limit: 1 })
        .ok,
    ).toBe(true);
  });

  it("rejects both beforeSeq and afterSeq", () => {
    expect(
      errorOf(
        parsePayload(ZMessageHistoryPayloadSchema, {
          conversationId: CONV,
          beforeSeq: 9,
          afterSeq: 2,
        }),
      ),
    ).toEqual({
      code: "INVALID_PAYLOAD",
      message: "use beforeSeq or afterSeq, not both",
    });
  });

  it("rejects limits outside 1..100 and bad seqs", () => {
    expect(
      errorOf(parsePayload(ZMessageHistoryPayloadSchema, { conversationId: CONV, limit: 101 }))
        .message,
    ).toBe("limit: too large (max 100)");
    expect(
      errorOf(parsePayload(ZMessageHistoryPayloadSchema, { conversationId: CONV, limit: 0 }))
        .message,
    ).toBe("limit: too small (min 1)");
    expect(
      errorOf(parsePayload(ZMessageHistoryPayloadSchema, { conversationId: CONV, beforeSeq: 1.5 }))
        .message,
    ).toBe("beforeSeq: expected an integer");
    expect(
      errorOf(parsePayload(ZMessageHistoryPayloadSchema, { conversationId: CONV, afterSeq: "3" }))
        .message,
    ).toBe("afterSeq: expected a number");
  });
});

describe("receipts", () => {
  it("accepts seq >= 0 integers only", () => {
    expect(parsePayload(ZReceiptPayloadSchema, { conversationId: CONV, seq: 0 }).ok).toBe(true);
    expect(
      errorOf(parsePayload(ZReceiptPayloadSchema, { conversationId: CONV, seq: -1 })).message,
    ).toBe("seq: too small (min 0)");
    expect(parsePayload(ZReceiptPayloadSchema, { conversationId: CONV, seq: 2.5 }).ok).toBe(false);
  });
});

describe("presence", () => {
  it("accepts up to watchMax user ids", () => {
    const ids = Array.from({ length: LIMITS.watchMax }, (_, i) => uuid(i));
    expect(parsePayload(ZPresenceWatchPayloadSchema, { userIds: ids }).ok).toBe(true);
  });

  it("rejects a watch list of 201, an empty one and bad ids", () => {
    const ids = Array.from({ length: 201 }, (_, i) => uuid(i));
    expect(errorOf(parsePayload(ZPresenceWatchPayloadSchema, { userIds: ids }))).toEqual({
      code: "INVALID_PAYLOAD",
      message: "userIds: too many items (max 200)",
    });
    expect(errorOf(parsePayload(ZPresenceWatchPayloadSchema, { userIds: [] })).message).toBe(
      "userIds: too few items (min 1)",
    );
    expect(
      errorOf(parsePayload(ZPresenceWatchPayloadSchema, { userIds: [uuid(1), "bob"] })).message,
    ).toBe("userIds.1: invalid uuid");
  });

  it("only lets a client set online or away", () => {
    expect(parsePayload(ZPresenceSetPayloadSchema, { status: "away" }).ok).toBe(true);
    expect(errorOf(parsePayload(ZPresenceSetPayloadSchema, { status: "offline" })).message).toBe(
      'status: expected one of "online", "away"',
    );
  });
});

describe("sync", () => {
  const record = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [uuid(i), i]));

  it("accepts up to syncMaxConversations entries", () => {
    expect(parsePayload(ZSyncPayloadSchema, { conversations: {} }).ok).toBe(true);
    expect(
      parsePayload(ZSyncPayloadSchema, { conversations: record(LIMITS.syncMaxConversations) }).ok,
    ).toBe(true);
  });

  it("rejects a record that is too big", () => {
    expect(errorOf(parsePayload(ZSyncPayloadSchema, { conversations: record(501) }))).toEqual({
      code: "INVALID_PAYLOAD",
      message: "conversations: too many entries (max 500)",
    });
  });

  it("rejects non-uuid keys and bad seqs", () => {
    expect(
      errorOf(parsePayload(ZSyncPayloadSchema, { conversations: { general: 3 } })).message,
    ).toBe("conversations.general: invalid key (invalid uuid)");
    expect(
      errorOf(parsePayload(ZSyncPayloadSchema, { conversations: { [CONV]: -1 } })).message,
    ).toBe(`conversations.${CONV}: too small (min 0)`);
  });
});

describe("client events", () => {
  it("lists every client→server event", () => {
    expect([...CLIENT_EVENTS].sort()).toEqual(
      [
        "message:send",
        "message:history",
        "message:edit",
        "message:delete",
        "receipt:delivered",
        "receipt:read",
        "typing:start",
        "typing:stop",
        "presence:watch",
        "presence:unwatch",
        "presence:set",
        "sync",
        "auth:refresh",
      ].sort(),
    );
  });

  it("recognizes only known events", () => {
    expect(isClientEvent("message:send")).toBe(true);
    for (const name of ["admin:ban", "toString", "__proto__", "", 42])
      expect(isClientEvent(name)).toBe(false);
  });

  it("maps events to their schemas", () => {
    expect(payloadSchemaFor("message:send")).toBe(ZMessageSendPayloadSchema);
    expect(payloadSchemaFor("sync")).toBe(ZSyncPayloadSchema);
    expect(payloadSchemaFor("constructor")).toBeUndefined();
  });

  it("every payload schema rejects unknown keys", () => {
    for (const event of CLIENT_EVENTS) {
      const error = errorOf(
        parsePayload(CLIENT_PAYLOAD_SCHEMAS[event], { conversationId: CONV, bogus: true }),
      );
      expect(error.code, event).toBe("INVALID_PAYLOAD");
      expect(error.message, event).toMatch(/unknown keys?: .*bogus/);
    }
  });
});

describe("parsePayloadOrThrow", () => {
  it("returns data or throws an AppError with the mapped code", () => {
    expect(parsePayloadOrThrow(ZReceiptPayloadSchema, { conversationId: CONV, seq: 4 })).toEqual({
      conversationId: CONV,
      seq: 4,
    });
    let caught: unknown;
    try {
      parsePayloadOrThrow(ZMessageSendPayloadSchema, send({ body: "x".repeat(4001) }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe("PAYLOAD_TOO_LARGE");
    expect((caught as AppError).status).toBe(413);
  });
});

describe("hostile input", () => {
  it("refuses a __proto__ key anywhere instead of dropping it", () => {
    const payload = JSON.parse('{"conversations":{"__proto__":{"polluted":true}}}') as unknown;
    expect(parsePayload(ZSyncPayloadSchema, payload)).toEqual({
      ok: false,
      error: { code: "INVALID_PAYLOAD", message: "forbidden key: conversations.__proto__" },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses NUL and other control characters and unpaired surrogates in text", () => {
    for (const body of ["a\u0000b", "bell\u0007", "lone \uD800 high", "lone \uDC00 low"]) {
      const res = parsePayload(ZMessageSendPayloadSchema, send({ body }));
      expect(res.ok, JSON.stringify(body)).toBe(false);
      expect(!res.ok && res.error.code).toBe("INVALID_PAYLOAD");
    }
    for (const body of ["tabs\tand\nnewlines", "emoji 😀 (a surrogate pair)", "עברית ‮ reversed"])
      expect(parsePayload(ZMessageSendPayloadSchema, send({ body })).ok, body).toBe(true);
  });
});
