// The message use cases called directly, as an admin console or a worker
// would: no socket anywhere, real stores, and a recording event port that
// shows exactly what each use case tells the clients.
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import { startTcpProxy } from "@relay/tooling/tcp-proxy";
import { markReceipt } from "../receipts/receipts";
import { createStores } from "../stores";
import { syncConversations } from "../sync/sync";
import { createTestUser, openTestStores, testEnv, testLogger } from "../testing";
import { relayTyping } from "../typing/typing";
import { deleteMessage, editMessage } from "./change-message";
import { messageHistory } from "./message-history";
import { sendMessage } from "./send-message";

const s = openTestStores();
afterAll(() => s.close());
beforeEach(() => {
  s.events.sent.length = 0;
});

const actor = (u: User) => ({ userId: u.id, role: u.role });

async function group(n: number, roles: Array<"USER" | "ADMIN"> = []) {
  const users = await Promise.all(
    Array.from({ length: n }, (_, i) => createTestUser(s.db, { role: roles[i] ?? "USER" })),
  );
  const conv = await s.db.conversation.create({
    data: {
      type: "GROUP",
      title: "Use cases",
      memberships: {
        create: users.map((u, i) => ({ userId: u.id, role: i === 0 ? "OWNER" : "MEMBER" })),
      },
    },
  });
  return { users, conversationId: conv.id };
}

const send = (u: User, conversationId: string, body: string, clientMsgId = randomUUID()) =>
  sendMessage(s, { actor: actor(u), conversationId, clientMsgId, body });

describe("sendMessage", () => {
  it("stores, then emits message:new to every member; a retry stores nothing and fans out again", async () => {
    const { users, conversationId } = await group(3);
    const [alice] = users as [User];
    const clientMsgId = randomUUID();
    const ack = await send(alice, conversationId, "hello", clientMsgId);
    expect(await s.messages.findById(conversationId, ack.messageId)).toMatchObject({
      seq: ack.seq,
      body: "hello",
    });
    expect(s.events.sent).toEqual([
      {
        userIds: users.map((u) => u.id),
        event: "message:new",
        payload: expect.objectContaining({
          id: ack.messageId,
          seq: ack.seq,
          clientMsgId,
        }) as unknown,
      },
    ]);
    // At-least-once delivery: the node that stored it may have died before
    // its fan-out left, so the retry delivers it again (same id: clients drop it).
    expect(await send(alice, conversationId, "hello", clientMsgId)).toEqual(ack);
    expect(s.events.sent).toHaveLength(2);
    expect(s.events.sent[1]).toEqual(s.events.sent[0]);
    expect((await s.messages.page(conversationId, { limit: 10 })).messages).toHaveLength(1);
  });

  it("a retry after Redis lost its data returns the original and stores no second copy", async () => {
    const { users, conversationId } = await group(2);
    const [alice, bob] = users as [User, User];
    const clientMsgId = randomUUID();
    const ack = await send(alice, conversationId, "stored once", clientMsgId);
    await send(bob, conversationId, "a reply");
    // What a Redis restart without persistence does to this conversation
    // (other test files share the Redis db, so no FLUSHALL).
    await s.redis.del(
      s.keys.dedup(conversationId, alice.id, clientMsgId),
      s.keys.seq(conversationId),
      s.keys.dedupSince(conversationId),
      s.keys.members(conversationId),
    );
    s.events.sent.length = 0;
    expect(await send(alice, conversationId, "stored once", clientMsgId)).toEqual(ack);
    // ...and delivers it again, from the stored row.
    expect(s.events.sent).toEqual([
      expect.objectContaining({
        event: "message:new",
        payload: expect.objectContaining({ id: ack.messageId, body: "stored once" }) as unknown,
      }),
    ]);
    // A second retry is answered from Redis again (the record was rebuilt).
    expect(await send(alice, conversationId, "stored once", clientMsgId)).toEqual(ack);
    const next = await send(alice, conversationId, "new after the loss");
    const page = await s.messages.page(conversationId, { limit: 10 });
    expect(page.messages.map((m) => m.body)).toEqual([
      "stored once",
      "a reply",
      "new after the loss",
    ]);
    expect(next.seq).toBeGreaterThan(2);
  });

  it("acknowledges a stored message even when Redis fails right after the Cassandra write", async () => {
    const env = testEnv();
    const redisUrl = new URL(env.REDIS_URL);
    const proxy = await startTcpProxy({
      host: redisUrl.hostname,
      port: Number(redisUrl.port || 6379),
    });
    const proxied = new URL(env.REDIS_URL);
    proxied.host = `127.0.0.1:${proxy.port}`;
    const stores = createStores(
      { ...env, REDIS_URL: proxied.toString() },
      {
        logger: testLogger(),
        dbPoolMax: 2,
      },
    );
    try {
      const { users, conversationId } = await group(2);
      const [alice] = users as [User];
      const real = stores.messages;
      let cutAfterInsert = true;
      const deps = {
        ...stores,
        events: s.events,
        // The real insert, then Redis goes away (a restart) before the send can mark it.
        messages: new Proxy(real, {
          get(target, prop) {
            if (prop === "insert")
              return async (m: Parameters<typeof real.insert>[0]) => {
                await target.insert(m);
                if (cutAfterInsert) proxy.cut();
              };
            const value: unknown = Reflect.get(target, prop);
            return typeof value === "function" ? (value as () => unknown).bind(target) : value;
          },
        }),
      };
      const clientMsgId = randomUUID();
      s.events.sent.length = 0;
      const ack = await sendMessage(deps, {
        actor: actor(alice),
        conversationId,
        clientMsgId,
        body: "stored before the cut",
      });
      expect(await s.messages.findById(conversationId, ack.messageId)).toMatchObject({
        seq: ack.seq,
        body: "stored before the cut",
      });
      expect(s.events.sent.map((e) => e.event)).toEqual(["message:new"]);
      // Redis is back (empty for this send, as after a restart): the retry
      // finds the stored message and stores no second copy.
      cutAfterInsert = false;
      await proxy.restore();
      await s.redis.del(
        s.keys.dedup(conversationId, alice.id, clientMsgId),
        s.keys.dedupSince(conversationId),
      );
      await stores.redis.ping();
      const retried = await sendMessage(deps, {
        actor: actor(alice),
        conversationId,
        clientMsgId,
        body: "stored before the cut",
      });
      expect(retried).toEqual(ack);
      expect((await s.messages.page(conversationId, { limit: 10 })).messages).toHaveLength(1);
    } finally {
      await stores.close();
      await proxy.close();
    }
  });

  it("refuses a non-member with FORBIDDEN and emits nothing", async () => {
    const { conversationId } = await group(2);
    const mallory = await createTestUser(s.db);
    const err = await send(mallory, conversationId, "let me in").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("FORBIDDEN");
    expect(s.events.sent).toEqual([]);
  });
});

describe("edit, delete, history, receipts, sync, typing", () => {
  it("each tells the members what changed, and only when something did", async () => {
    const { users, conversationId } = await group(3, ["USER", "USER", "ADMIN"]);
    const [alice, bob, admin] = users as [User, User, User];
    const first = await send(alice, conversationId, "typo");
    const second = await send(bob, conversationId, "spam");
    s.events.sent.length = 0;

    const edited = await editMessage(s, {
      actor: actor(alice),
      conversationId,
      messageId: first.messageId,
      body: "fixed",
    });
    expect(edited).toMatchObject({ id: first.messageId, body: "fixed" });
    // Bob may not edit Alice's message; an ADMIN member may delete anyone's.
    await expect(
      editMessage(s, { actor: actor(bob), conversationId, messageId: first.messageId, body: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const deleted = await deleteMessage(s, {
      actor: actor(admin),
      conversationId,
      messageId: second.messageId,
    });
    expect(deleted).toEqual({ conversationId, messageId: second.messageId, seq: second.seq });
    expect(s.events.sent.map((e) => e.event)).toEqual(["message:updated", "message:deleted"]);

    const page = await messageHistory(s, { actor: actor(bob), conversationId });
    expect(page.messages.map((m) => [m.body, m.deleted])).toEqual([
      ["fixed", false],
      ["", true],
    ]);

    // The admin has sent nothing, so their read mark is still 0 (a sender's own marks follow their sends).
    s.events.sent.length = 0;
    expect(
      await markReceipt(s, { actor: actor(admin), kind: "read", conversationId, seq: second.seq }),
    ).toEqual({ seq: second.seq });
    expect(
      await markReceipt(s, { actor: actor(admin), kind: "read", conversationId, seq: first.seq }),
    ).toEqual({ seq: second.seq }); // never moves back, and tells nobody
    expect(s.events.sent).toEqual([
      {
        userIds: users.map((u) => u.id),
        event: "receipt",
        payload: { conversationId, userId: admin.id, kind: "read", seq: second.seq },
      },
    ]);

    const sync = await syncConversations(s, {
      actor: actor(bob),
      conversations: { [conversationId]: 0, [randomUUID()]: 0 },
    });
    expect(Object.keys(sync)).toEqual([conversationId]);
    expect(sync[conversationId]).toMatchObject({ lastSeq: second.seq });
    expect(sync[conversationId]?.readSeqs[admin.id]).toBe(second.seq);

    s.events.sent.length = 0;
    const typing = { conversationId, typing: true, connectionId: randomUUID() };
    const outsider = await createTestUser(s.db);
    await relayTyping(s, { ...typing, actor: actor(outsider), connectionId: randomUUID() });
    await relayTyping(s, { ...typing, actor: actor(alice) });
    await relayTyping(s, { ...typing, actor: actor(alice) }); // throttled on this connection
    expect(s.events.sent).toEqual([
      {
        userIds: [bob.id, admin.id],
        event: "typing",
        payload: { conversationId, userId: alice.id, typing: true },
        volatile: true,
      },
    ]);
  });
});
