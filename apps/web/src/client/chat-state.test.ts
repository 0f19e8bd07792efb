import { describe, expect, it } from "vitest";
import type { TConversationSummary, TMessage } from "@relay/shared/schemas";
import {
  addPending,
  applyConversationList,
  applyDeleted,
  applyHistory,
  applyNewMessage,
  applyReceipt,
  applySync,
  applyTyping,
  applyUpdatedMessage,
  deliveryMark,
  emptyState,
  hasHole,
  mergeMessages,
  planPresenceWatch,
  resumeSeq,
  sortedConversations,
  typingUsers,
  unreadOf,
} from "./chat-state";

const ME = "00000000-0000-4000-8000-000000000001";
const BOB = "00000000-0000-4000-8000-000000000002";
const C1 = "00000000-0000-4000-8000-0000000000c1";
const C2 = "00000000-0000-4000-8000-0000000000c2";

const msg = (seq: number, over: Partial<TMessage> = {}): TMessage => ({
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
  conversationId: C1,
  seq,
  senderId: BOB,
  body: `m${seq}`,
  kind: "text",
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  editedAt: null,
  deleted: false,
  ...over,
});

const summary = (id: string, over: Partial<TConversationSummary> = {}): TConversationSummary => ({
  id,
  type: "direct",
  title: null,
  members: [
    { userId: ME, role: "OWNER", name: "Me" },
    { userId: BOB, role: "OWNER", name: "Bob" },
  ],
  lastMessage: null,
  lastSeq: 0,
  unread: 0,
  mutedUntil: null,
  ...over,
});

const withConv = (over: Partial<TConversationSummary> = {}) =>
  applyConversationList(emptyState(ME), [summary(C1, over)]);

describe("chat state", () => {
  it("merges history and live messages without duplicates, in seq order", () => {
    let s = withConv({ lastSeq: 3, unread: 3 });
    s = applyHistory(s, C1, { messages: [msg(2), msg(3)], hasMore: true }, "latest");
    s = applyNewMessage(s, msg(3));
    s = applyNewMessage(s, msg(4));
    s = applyHistory(s, C1, { messages: [msg(1), msg(2)], hasMore: false }, "before");
    const c = s.conversations[C1]!;
    expect(c.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(c.hasMoreBefore).toBe(false);
    expect(c.summary.lastSeq).toBe(4);
    expect(unreadOf(s, c)).toBe(4);
  });

  it("replaces the optimistic message when its own message:new arrives", () => {
    let s = withConv();
    s = applyHistory(s, C1, { messages: [], hasMore: false }, "latest");
    s = addPending(s, {
      clientMsgId: "abc",
      conversationId: C1,
      body: "hi",
      createdAt: "2026-01-01T00:00:00.000Z",
      state: "sending",
      attempts: 1,
    });
    expect(s.conversations[C1]!.pending).toHaveLength(1);
    s = applyNewMessage(s, msg(1, { senderId: ME, clientMsgId: "abc", body: "hi" }));
    const c = s.conversations[C1]!;
    expect(c.pending).toEqual([]);
    expect(c.messages.map((m) => m.body)).toEqual(["hi"]);
    expect(unreadOf(s, c)).toBe(0); // own messages are read
  });

  it("never lets a stale copy undo an edit or a delete", () => {
    const edited = msg(1, { body: "edited", editedAt: "2026-01-02T00:00:00.000Z" });
    expect(mergeMessages([edited], [msg(1)])[0]!.body).toBe("edited");
    const deleted = msg(1, { body: "", deleted: true, editedAt: "2026-01-02T00:00:00.000Z" });
    expect(mergeMessages([deleted], [edited])[0]!.deleted).toBe(true);
    let s = withConv({ lastSeq: 1, lastMessage: msg(1) });
    s = applyHistory(s, C1, { messages: [msg(1)], hasMore: false }, "latest");
    s = applyUpdatedMessage(s, edited);
    expect(s.conversations[C1]!.summary.lastMessage?.body).toBe("edited");
    s = applyDeleted(s, { conversationId: C1, messageId: msg(1).id });
    expect(s.conversations[C1]!.messages[0]).toMatchObject({ deleted: true, body: "" });
    expect(s.lastServerTime).toBe("2026-01-02T00:00:00.000Z");
  });

  it("derives delivered and read marks from receipts, and clears unread when I read elsewhere", () => {
    let s = withConv({ lastSeq: 2, unread: 1 });
    const mine = msg(2, { senderId: ME });
    const c0 = s.conversations[C1]!;
    expect(deliveryMark(s, c0, mine)).toBe("sent");
    s = applyReceipt(s, { conversationId: C1, userId: BOB, kind: "delivered", seq: 2 });
    expect(deliveryMark(s, s.conversations[C1]!, mine)).toBe("delivered");
    s = applyReceipt(s, { conversationId: C1, userId: BOB, kind: "read", seq: 2 });
    expect(deliveryMark(s, s.conversations[C1]!, mine)).toBe("read");
    expect(unreadOf(s, s.conversations[C1]!)).toBe(1);
    s = applyReceipt(s, { conversationId: C1, userId: ME, kind: "read", seq: 2 });
    expect(unreadOf(s, s.conversations[C1]!)).toBe(0);
    // marks never move back
    s = applyReceipt(s, { conversationId: C1, userId: ME, kind: "read", seq: 1 });
    expect(unreadOf(s, s.conversations[C1]!)).toBe(0);
  });

  it("applies sync: head, marks and changes to messages it holds", () => {
    let s = withConv({ lastSeq: 1 });
    s = applyHistory(s, C1, { messages: [msg(1)], hasMore: false }, "latest");
    s = applySync(s, {
      [C1]: {
        lastSeq: 3,
        unread: 2,
        readSeqs: { [ME]: 1, [BOB]: 3 },
        deliveredSeqs: { [BOB]: 3 },
        changed: [msg(1, { body: "changed", editedAt: "2026-01-03T00:00:00.000Z" })],
      },
    });
    const c = s.conversations[C1]!;
    expect(c.summary.lastSeq).toBe(3);
    expect(c.messages[0]!.body).toBe("changed");
    expect(unreadOf(s, c)).toBe(2);
  });

  it("resumes a catch-up from the contiguous mark: a message seen ahead of a missing seq does not hide it", () => {
    let s = withConv({ lastSeq: 2 });
    s = applyHistory(s, C1, { messages: [msg(1), msg(2)], hasMore: false }, "latest");
    expect(resumeSeq(s.conversations[C1]!)).toBe(2);
    // Seq 4 arrives live before seq 3 (seqs are reserved before the write).
    s = applyNewMessage(s, msg(4));
    expect(resumeSeq(s.conversations[C1]!)).toBe(2);
    expect(hasHole(s.conversations[C1]!)).toBe(true);
    // 3 arrives: the mark moves over 3 and 4.
    const filled = applyNewMessage(s, msg(3));
    expect(resumeSeq(filled.conversations[C1]!)).toBe(4);
    expect(hasHole(filled.conversations[C1]!)).toBe(false);
    // Or 3 never comes (never acknowledged): one look after the mark finds
    // only 4, and the mark moves past the hole for good.
    s = applyHistory(s, C1, { messages: [msg(4)], hasMore: false }, "after", 2);
    expect(resumeSeq(s.conversations[C1]!)).toBe(4);
    expect(hasHole(s.conversations[C1]!)).toBe(false);
    // A page that does not start at the mark proves nothing about the seqs below it.
    s = applyNewMessage(s, msg(7));
    s = applyHistory(s, C1, { messages: [msg(7)], hasMore: false }, "after", 6);
    expect(resumeSeq(s.conversations[C1]!)).toBe(4);
    // A conversation never opened resumes from 0 (it loads its latest page when opened).
    expect(resumeSeq(withConv({ lastSeq: 9 }).conversations[C1]!)).toBe(0);
  });

  it("counts unread messages, not seq distance: a gap of never-used seqs adds nothing", () => {
    // The server counted 1 unread message, although seqs 2..3 lie between the mark and the head.
    let s = withConv({ lastSeq: 3, unread: 1 });
    s = applyNewMessage(s, msg(104)); // after a re-seed gap of 100
    expect(unreadOf(s, s.conversations[C1]!)).toBe(2);
    s = applyNewMessage(s, msg(104)); // delivered twice (at-least-once)
    expect(unreadOf(s, s.conversations[C1]!)).toBe(2);
    s = applyConversationList(s, [summary(C1, { lastSeq: 104, unread: 2 })]);
    expect(unreadOf(s, s.conversations[C1]!)).toBe(2);
    s = applyReceipt(s, { conversationId: C1, userId: ME, kind: "read", seq: 104 });
    expect(unreadOf(s, s.conversations[C1]!)).toBe(0);
  });

  it("sorts conversations by latest activity and expires typing", () => {
    let s = applyConversationList(emptyState(ME), [
      summary(C1, { lastSeq: 1, lastMessage: msg(1) }),
      summary(C2),
    ]);
    s = applyNewMessage(s, msg(5, { conversationId: C2 }));
    expect(sortedConversations(s).map((c) => c.summary.id)).toEqual([C2, C1]);
    s = applyTyping(s, { conversationId: C1, userId: BOB, typing: true }, 1_000);
    expect(typingUsers(s.conversations[C1]!, 2_000)).toEqual([BOB]);
    expect(typingUsers(s.conversations[C1]!, 60_000)).toEqual([]);
    s = applyNewMessage(s, msg(2));
    expect(typingUsers(s.conversations[C1]!, 2_000)).toEqual([]);
  });

  it("plans presence watches: other members, not the refused, unwatching who is gone, within the limit", () => {
    const CAROL = "00000000-0000-4000-8000-000000000003";
    const DAN = "00000000-0000-4000-8000-000000000004";
    const EVE = "00000000-0000-4000-8000-000000000005";
    const s = applyConversationList(emptyState(ME), [
      summary(C1),
      summary(C2, {
        type: "group",
        title: "G",
        members: [ME, BOB, CAROL, DAN].map((userId) => ({ userId, role: "MEMBER", name: "x" })),
      }),
    ]);
    expect(planPresenceWatch(s, new Set(), new Set(), 200)).toEqual({
      watch: [BOB, CAROL, DAN],
      unwatch: [],
    });
    // Carol was refused (never participated); Eve left every shared conversation.
    expect(planPresenceWatch(s, new Set([BOB, EVE]), new Set([CAROL]), 200)).toEqual({
      watch: [DAN],
      unwatch: [EVE],
    });
    // The limit counts what stays watched (Eve's slot is freed).
    expect(planPresenceWatch(s, new Set([BOB, EVE]), new Set(), 2)).toEqual({
      watch: [CAROL],
      unwatch: [EVE],
    });
    expect(planPresenceWatch(s, new Set([BOB, CAROL]), new Set(), 1).watch).toEqual([]);
  });
});
