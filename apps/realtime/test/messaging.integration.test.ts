// The message path against real Postgres, Redis and Cassandra with three
// realtime nodes on one Redis adapter; clients are spread over the nodes.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisKeys } from "@relay/core";
import { LIMITS } from "@relay/shared/limits";
import type {
  TMessage,
  TMessageSendResult,
  TReceiptEvent,
  TSyncResult,
  TTypingEvent,
} from "@relay/shared/schemas";
import {
  connectAs,
  createConversation,
  createUser,
  db,
  newClientMsgId,
  nextEvent,
  record,
  request,
  type TestUser,
} from "./fixtures";
import { env, startNode, type TestClient, type TestNode } from "./helpers";

let nodes: TestNode[];
const open: TestClient[] = [];
const keys = redisKeys(env.REDIS_PREFIX);

beforeAll(async () => {
  nodes = await Promise.all([startNode(), startNode(), startNode()]);
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

async function client(node: number, user: TestUser) {
  const c = await connectAs(nodes[node]!.url, user);
  open.push(c);
  return c;
}

function send(c: TestClient, conversationId: string, body: string, clientMsgId = newClientMsgId()) {
  return request<TMessageSendResult>(c, "message:send", { conversationId, clientMsgId, body });
}

async function sendOk(c: TestClient, conversationId: string, body: string, clientMsgId?: string) {
  const res = await send(c, conversationId, body, clientMsgId);
  if (!res.ok) throw new Error(`send failed: ${res.error.code} ${res.error.message}`);
  return res.data;
}

describe("message:send", () => {
  it("acks after the message is in Cassandra and delivers it to every device of every member, across nodes", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    const [b1, b2] = await Promise.all([client(1, bob), client(2, bob)]);

    const arrivals = [b1, b2, a].map((c) =>
      nextEvent<TMessage>(c, "message:new", (m) => m.conversationId === conv),
    );
    const clientMsgId = newClientMsgId();
    const ack = await sendOk(a, conv, "hello <b>bob</b>", clientMsgId);

    // Invariant 1: acknowledged ⇒ durably stored.
    const stored = await nodes[0]!.deps.messages.findById(conv, ack.messageId);
    expect(stored).toMatchObject({ seq: ack.seq, body: "hello <b>bob</b>", senderId: alice.id });
    expect(ack.seq).toBe(1);

    const delivered = await Promise.all(arrivals);
    for (const m of delivered) {
      expect(m).toMatchObject({
        id: ack.messageId,
        seq: ack.seq,
        senderId: alice.id,
        body: "hello <b>bob</b>",
        clientMsgId,
        deleted: false,
        editedAt: null,
      });
    }
  });

  it("keeps seq strictly increasing and unique with three nodes sending concurrently", async () => {
    const users = await Promise.all([createUser(), createUser(), createUser()]);
    const conv = await createConversation("GROUP", users);
    const clients = await Promise.all(users.map((u, i) => client(i, u)));
    const perClient = 15;
    const acks = await Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: perClient }, (_, n) => sendOk(c, conv, `from ${i} #${n}`)),
      ),
    );
    const seqs = acks.map((a) => a.seq).sort((x, y) => x - y);
    expect(new Set(seqs).size).toBe(clients.length * perClient);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    const history = await request<{ messages: TMessage[]; hasMore: boolean }>(
      clients[0]!,
      "message:history",
      { conversationId: conv, limit: 100 },
    );
    expect(history.ok && history.data.messages.map((m) => m.seq)).toEqual(seqs);
  });

  it("returns the original for a retried clientMsgId and stores nothing new", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a1 = await client(0, alice);
    const a2 = await client(1, alice); // the retry may arrive through another node
    const id = newClientMsgId();
    const first = await sendOk(a1, conv, "once", id);
    const [again, concurrent] = await Promise.all([
      sendOk(a2, conv, "once", id),
      sendOk(a1, conv, "once", id),
    ]);
    expect(again).toEqual(first);
    expect(concurrent).toEqual(first);
    const page = await nodes[0]!.deps.messages.page(conv, { limit: 10 });
    expect(page.messages).toHaveLength(1);
  });

  it("continues above the highest stored seq after Redis loses the counter", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    for (const body of ["one", "two", "three"]) await sendOk(a, conv, body);
    // What a FLUSHALL does to this conversation (other test files share the Redis db).
    await nodes[0]!.deps.redis.del(keys.seq(conv), keys.members(conv));
    const next = await sendOk(a, conv, "four");
    expect(next.seq).toBeGreaterThan(3);
    const after = await sendOk(a, conv, "five");
    expect(after.seq).toBe(next.seq + 1);
    const page = await nodes[0]!.deps.messages.page(conv, { limit: 10 });
    expect(page.messages.map((m) => m.body)).toEqual(["one", "two", "three", "four", "five"]);
  });

  it("rate-limits a user's sends with RATE_LIMITED", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    const results = await Promise.all(
      Array.from({ length: LIMITS.sendBurst + 10 }, (_, i) => send(a, conv, `burst ${i}`)),
    );
    const limited = results.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => !r.ok && r.error.code === "RATE_LIMITED")).toBe(true);
    expect(results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(LIMITS.sendBurst);
  });
});

describe("bad input", () => {
  it("answers malformed, oversize and unknown events with clear codes and stays up", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);

    const cases: Array<[string, unknown, string]> = [
      ["message:send", { conversationId: conv, body: "no id" }, "INVALID_PAYLOAD"],
      [
        "message:send",
        { conversationId: "not-a-uuid", clientMsgId: "x", body: "hi" },
        "INVALID_PAYLOAD",
      ],
      ["message:send", { conversationId: conv, clientMsgId: "x", body: "   " }, "INVALID_PAYLOAD"],
      [
        "message:send",
        { conversationId: conv, clientMsgId: "x", body: "a".repeat(LIMITS.bodyMaxChars + 1) },
        "PAYLOAD_TOO_LARGE",
      ],
      [
        "message:send",
        { conversationId: conv, clientMsgId: "x", body: "hi", extra: 1 },
        "INVALID_PAYLOAD",
      ],
      ["message:send", "just a string", "INVALID_PAYLOAD"],
      ["message:send", null, "INVALID_PAYLOAD"],
      ["message:history", { conversationId: conv, beforeSeq: 5, afterSeq: 1 }, "INVALID_PAYLOAD"],
      ["message:history", { conversationId: conv, limit: 101 }, "INVALID_PAYLOAD"],
      ["receipt:read", { conversationId: conv, seq: -1 }, "INVALID_PAYLOAD"],
      ["sync", { conversations: [] }, "INVALID_PAYLOAD"],
      ["message:explode", { any: "thing" }, "INVALID_PAYLOAD"],
    ];
    for (const [event, payload, code] of cases) {
      const res = await request(a, event, payload);
      expect(res, `${event} ${JSON.stringify(payload)?.slice(0, 60)}`).toMatchObject({
        ok: false,
        error: { code },
      });
    }
    // No partial writes, and the node still serves.
    expect((await nodes[0]!.deps.messages.page(conv, { limit: 10 })).messages).toEqual([]);
    expect((await sendOk(a, conv, "still here")).seq).toBe(1);
    expect(a.connected).toBe(true);
  });
});

describe("authorization", () => {
  it("refuses non-members on every event", async () => {
    const [alice, bob, mallory] = await Promise.all([createUser(), createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    const m = await client(1, mallory);
    const ack = await sendOk(a, conv, "private");

    for (const [event, payload] of [
      ["message:send", { conversationId: conv, clientMsgId: newClientMsgId(), body: "let me in" }],
      ["message:history", { conversationId: conv }],
      ["message:edit", { conversationId: conv, messageId: ack.messageId, body: "pwned" }],
      ["message:delete", { conversationId: conv, messageId: ack.messageId }],
      ["receipt:read", { conversationId: conv, seq: 1 }],
      ["receipt:delivered", { conversationId: conv, seq: 1 }],
      [
        "message:send",
        { conversationId: randomUUID(), clientMsgId: newClientMsgId(), body: "nowhere" },
      ],
    ] as const) {
      expect(await request(m, event, payload), event).toMatchObject({
        ok: false,
        error: { code: "FORBIDDEN" },
      });
    }
    const sync = await request<TSyncResult>(m, "sync", { conversations: { [conv]: 0 } });
    expect(sync).toEqual({ ok: true, data: {} });

    // Typing from a non-member reaches nobody. The marker is Mallory's own typing
    // in a conversation she does share with Bob, sent right after on the same
    // socket: it takes the same path on the same node (throttle, member lookup —
    // both member lists cached: `conv` was read by the sends above, `shared` is
    // read here first — and the emit, each on one Redis connection, in order), so
    // had the first been relayed, Bob would have received it before the marker.
    const shared = await createConversation("DIRECT", [mallory, bob]);
    await nodes[1]!.deps.membership.get(shared);
    const b = await client(2, bob);
    const typing = record<TTypingEvent>(b, "typing");
    m.emit("typing:start", { conversationId: conv });
    m.emit("typing:start", { conversationId: shared });
    await nextEvent<TTypingEvent>(b, "typing", (t) => t.conversationId === shared);
    expect(typing).toEqual([{ conversationId: shared, userId: mallory.id, typing: true }]);

    expect((await nodes[0]!.deps.messages.findById(conv, ack.messageId))?.body).toBe("private");
  });

  it("stops delivering to a removed member at once", async () => {
    const [alice, bob, carol] = await Promise.all([createUser(), createUser(), createUser()]);
    const group = await createConversation("GROUP", [alice, bob, carol]);
    const dm = await createConversation("DIRECT", [alice, carol]);
    const a = await client(0, alice);
    const c = await client(1, carol);
    const seen = record<TMessage>(c, "message:new");

    await sendOk(a, group, "before removal");
    await nextEvent<TMessage>(c, "message:new", (m) => m.body === "before removal");

    await db.membership.delete({
      where: { conversationId_userId: { conversationId: group, userId: carol.id } },
    });
    await nodes[0]!.deps.membership.invalidate(group);

    await sendOk(a, group, "after removal");
    // Barrier: a later message from the same node to Carol; the adapter keeps order per publisher.
    await sendOk(a, dm, "barrier");
    await nextEvent<TMessage>(c, "message:new", (m) => m.body === "barrier");
    expect(seen.map((m) => m.body)).toEqual(["before removal", "barrier"]);
    expect(await send(c, group, "can I still talk?")).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
  });
});

describe("edit and delete", () => {
  it("lets senders edit and delete their own messages, broadcasts the change, refuses others", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    const b = await client(1, bob);
    const ack = await sendOk(a, conv, "typo");

    expect(
      await request(b, "message:edit", {
        conversationId: conv,
        messageId: ack.messageId,
        body: "not yours",
      }),
    ).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(
      await request(b, "message:delete", { conversationId: conv, messageId: ack.messageId }),
    ).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });

    const updated = nextEvent<TMessage>(b, "message:updated");
    const edit = await request<TMessage>(a, "message:edit", {
      conversationId: conv,
      messageId: ack.messageId,
      body: "fixed",
    });
    expect(edit).toMatchObject({
      ok: true,
      data: { id: ack.messageId, body: "fixed", seq: ack.seq },
    });
    expect(await updated).toMatchObject({ id: ack.messageId, body: "fixed" });

    const deleted = nextEvent(b, "message:deleted");
    expect(
      await request(a, "message:delete", { conversationId: conv, messageId: ack.messageId }),
    ).toEqual({
      ok: true,
      data: { conversationId: conv, messageId: ack.messageId, seq: ack.seq },
    });
    expect(await deleted).toEqual({ conversationId: conv, messageId: ack.messageId, seq: ack.seq });
    const stored = await nodes[1]!.deps.messages.findById(conv, ack.messageId);
    expect(stored).toMatchObject({ deleted: true, body: "" });
    expect(
      await request(a, "message:edit", {
        conversationId: conv,
        messageId: ack.messageId,
        body: "undelete",
      }),
    ).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
  });

  it("lets an admin who is a member delete anyone's message", async () => {
    const [admin, bob] = await Promise.all([createUser("ADMIN"), createUser()]);
    const conv = await createConversation("GROUP", [admin, bob]);
    const b = await client(0, bob);
    const ad = await client(1, admin);
    const ack = await sendOk(b, conv, "spam");
    expect(
      await request(ad, "message:delete", { conversationId: conv, messageId: ack.messageId }),
    ).toMatchObject({ ok: true });
  });
});

describe("receipts", () => {
  it("stores high-water marks, broadcasts them, and syncs read state to the reader's other devices", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    const [b1, b2] = await Promise.all([client(1, bob), client(2, bob)]);
    await sendOk(a, conv, "1");
    const second = await sendOk(a, conv, "2");

    const toAlice = nextEvent<TReceiptEvent>(a, "receipt", (r) => r.kind === "read");
    const toOtherDevice = nextEvent<TReceiptEvent>(b2, "receipt", (r) => r.kind === "read");
    expect(await request(b1, "receipt:read", { conversationId: conv, seq: second.seq })).toEqual({
      ok: true,
      data: { seq: second.seq },
    });
    const expected = { conversationId: conv, userId: bob.id, kind: "read", seq: second.seq };
    expect(await toAlice).toEqual(expected);
    expect(await toOtherDevice).toEqual(expected);

    // Marks never move back, and never past the head.
    expect(await request(b2, "receipt:read", { conversationId: conv, seq: 1 })).toEqual({
      ok: true,
      data: { seq: second.seq },
    });
    expect(await request(b2, "receipt:delivered", { conversationId: conv, seq: 999 })).toEqual({
      ok: true,
      data: { seq: second.seq },
    });
    const m = await db.membership.findUniqueOrThrow({
      where: { conversationId_userId: { conversationId: conv, userId: bob.id } },
    });
    expect([m.lastReadSeq, m.lastDeliveredSeq]).toEqual([BigInt(second.seq), BigInt(second.seq)]);
  });
});

describe("typing", () => {
  it("reaches the other members across nodes, not the typist", async () => {
    const [alice, bob, carol] = await Promise.all([createUser(), createUser(), createUser()]);
    const conv = await createConversation("GROUP", [alice, bob, carol]);
    const a = await client(0, alice);
    const b = await client(1, bob);
    const c = await client(2, carol);
    const aliceSaw = record<TTypingEvent>(a, "typing");
    const atBob = nextEvent<TTypingEvent>(b, "typing");
    const atCarol = nextEvent<TTypingEvent>(c, "typing");
    a.emit("typing:start", { conversationId: conv });
    expect(await atBob).toEqual({ conversationId: conv, userId: alice.id, typing: true });
    expect(await atCarol).toEqual({ conversationId: conv, userId: alice.id, typing: true });
    const stop = nextEvent<TTypingEvent>(b, "typing", (t) => !t.typing);
    a.emit("typing:stop", { conversationId: conv });
    expect(await stop).toEqual({ conversationId: conv, userId: alice.id, typing: false });
    expect(aliceSaw).toEqual([]);
  });
});

describe("sync after reconnect", () => {
  it("tells a returning client what it missed so it fetches exactly that, including edits", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    let b = await client(1, bob);
    const first = await sendOk(a, conv, "seen before going away");
    const seenAt = (await nextEvent<TMessage>(b, "message:new", (m) => m.id === first.messageId))
      .createdAt;
    b.close();

    const missed = [await sendOk(a, conv, "missed 1"), await sendOk(a, conv, "missed 2")];
    await request(a, "message:edit", {
      conversationId: conv,
      messageId: first.messageId,
      body: "edited while away",
    });

    b = await client(2, bob);
    await nodes[0]!.deps.ownMarks.flush(); // a sender's own marks are written within a second
    const sync = await request<TSyncResult>(b, "sync", {
      conversations: { [conv]: first.seq },
      since: seenAt,
    });
    if (!sync.ok) throw new Error(sync.error.message);
    const state = sync.data[conv]!;
    expect(state.lastSeq).toBe(missed[1]!.seq);
    expect(state.unread).toBe(3); // Bob has read nothing
    expect(state.readSeqs[alice.id]).toBe(missed[1]!.seq); // own messages count as read
    expect(state.changed.map((m) => [m.id, m.body])).toEqual([
      [first.messageId, "edited while away"],
    ]);

    const page = await request<{ messages: TMessage[]; hasMore: boolean }>(b, "message:history", {
      conversationId: conv,
      afterSeq: first.seq,
    });
    expect(page.ok && page.data.messages.map((m) => m.body)).toEqual(["missed 1", "missed 2"]);
    expect(page.ok && page.data.hasMore).toBe(false);
  });
});

describe("HTTP history", () => {
  it("pages by seq for members with a Bearer token and refuses others", async () => {
    const [alice, bob, mallory] = await Promise.all([createUser(), createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const a = await client(0, alice);
    for (let i = 1; i <= 5; i++) await sendOk(a, conv, `m${i}`);
    const get = (path: string, token?: string) =>
      fetch(`${nodes[1]!.url}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });

    const res = await get(`/v1/conversations/${conv}/messages?beforeSeq=4&limit=2`, bob.token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: TMessage[]; hasMore: boolean };
    expect(body.messages.map((m) => m.body)).toEqual(["m2", "m3"]);
    expect(body.hasMore).toBe(true);

    expect((await get(`/v1/conversations/${conv}/messages`)).status).toBe(401);
    const forbidden = await get(`/v1/conversations/${conv}/messages`, mallory.token);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    const bad = await get(`/v1/conversations/${conv}/messages?limit=abc`, bob.token);
    expect(bad.status).toBe(400);
    const badId = await get(`/v1/conversations/not-a-uuid/messages`, bob.token);
    expect(await badId.json()).toMatchObject({ error: { code: "INVALID_PAYLOAD" } });
  });

  it("refuses a suspended member with 403 on the next request, though the token is still valid", async () => {
    const [alice, bob] = await Promise.all([createUser(), createUser()]);
    const conv = await createConversation("DIRECT", [alice, bob]);
    const url = `${nodes[2]!.url}/v1/conversations/${conv}/messages`;
    const get = () => fetch(url, { headers: { authorization: `Bearer ${bob.token}` } });
    expect((await get()).status).toBe(200);
    await db.user.update({ where: { id: bob.id }, data: { status: "SUSPENDED" } });
    const refused = await get();
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      ok: false,
      error: { code: "FORBIDDEN", message: "account suspended" },
    });
  });
});
