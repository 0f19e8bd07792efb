// The message use cases called directly, as an admin console or a worker
// would: no socket anywhere, real stores, and a recording event port that
// shows exactly what each use case tells the clients.
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { User } from "@relay/db";
import { AppError } from "@relay/shared/errors";
import { markReceipt } from "../receipts/receipts";
import { syncConversations } from "../sync/sync";
import { createTestUser, openTestStores } from "../testing";
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
  it("stores, then emits message:new once to every member; a retry emits nothing", async () => {
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
    expect(await send(alice, conversationId, "hello", clientMsgId)).toEqual(ack);
    expect(s.events.sent).toHaveLength(1);
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
