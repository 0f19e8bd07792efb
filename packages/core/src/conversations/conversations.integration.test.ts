import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { User } from "@relay/db";
import type { StoredMessage } from "@relay/messages";
import { LIMITS } from "@relay/shared/limits";
import type { TConversationUpdatedEvent } from "@relay/shared/schemas";
import { ZConversationSummarySchema } from "@relay/shared/schemas";
import { syncConversations } from "../sync/sync";
import { createTestUser, openTestStores, type TestStores } from "../testing";
import {
  addMembers,
  createDirectConversation,
  createGroupConversation,
  getConversation,
  leaveConversation,
  listConversations,
  removeMember,
  setConversationMute,
} from "./conversations";

const s: TestStores = openTestStores();
afterAll(async () => {
  await s?.close();
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => createTestUser(s.db)));

function message(conversationId: string, seq: number, senderId: string, at: Date): StoredMessage {
  return {
    id: randomUUID(),
    conversationId,
    seq,
    senderId,
    clientMsgId: `c-${seq}`,
    body: `hello ${seq}`,
    kind: "text",
    createdAt: at,
    editedAt: null,
    deleted: false,
  };
}

/** The `conversation:updated` events the use cases emitted for one conversation, in order. */
const eventsFor = (conversationId: string) =>
  s.events.sent
    .filter((e) => e.event === "conversation:updated")
    .map((e) => ({ userIds: e.userIds, event: e.payload as TConversationUpdatedEvent }))
    .filter((e) => e.event.conversationId === conversationId);
const memberIds = async (conversationId: string) =>
  (await s.db.membership.findMany({ where: { conversationId } })).map((m) => m.userId).sort();

describe("listConversations", () => {
  it("returns summaries with last message, lastSeq and unread, most recently active first", async () => {
    const [me, bob, carol] = (await users(3)) as [User, User, User];
    const quiet = (await createDirectConversation(s, { callerId: me.id, otherUserId: carol.id }))
      .conversation;
    const busy = (await createDirectConversation(s, { callerId: me.id, otherUserId: bob.id }))
      .conversation;
    const group = await createGroupConversation(s, {
      callerId: me.id,
      title: "Team",
      memberIds: [bob.id, carol.id],
    });

    const now = Date.now();
    await s.messages.insert(message(busy.id, 1, bob.id, new Date(now - 3000)));
    await s.messages.insert(message(busy.id, 2, me.id, new Date(now - 2000)));
    await s.messages.insert(message(busy.id, 3, bob.id, new Date(now + 60_000)));
    await s.messages.insert(message(group.id, 1, carol.id, new Date(now + 30_000)));
    await s.db.membership.update({
      where: { conversationId_userId: { conversationId: busy.id, userId: me.id } },
      data: { lastReadSeq: 1n },
    });

    const list = await listConversations(s, me.id);
    expect(list.map((c) => c.id)).toEqual([busy.id, group.id, quiet.id]);
    for (const summary of list) expect(ZConversationSummarySchema.parse(summary)).toEqual(summary);

    const [b, g, q] = list as [(typeof list)[0], (typeof list)[0], (typeof list)[0]];
    expect(b).toMatchObject({
      type: "direct",
      title: null,
      lastSeq: 3,
      unread: 1, // seq 3 (seq 2 is mine)
      mutedUntil: null,
    });
    expect(b.lastMessage).toMatchObject({
      seq: 3,
      senderId: bob.id,
      body: "hello 3",
      conversationId: busy.id,
    });
    expect(b.members.map((m) => m.userId).sort()).toEqual([me.id, bob.id].sort());
    expect(g).toMatchObject({ type: "group", title: "Team", lastSeq: 1, unread: 1 });
    expect(g.members.find((m) => m.userId === me.id)?.role).toBe("OWNER");
    expect(q).toMatchObject({ lastMessage: null, lastSeq: 0, unread: 0 });
  });

  it("counts unread messages, not seq distance: a gap (Redis re-seed) adds nothing", async () => {
    const [me, bob] = (await users(2)) as [User, User];
    const dm = (await createDirectConversation(s, { callerId: me.id, otherUserId: bob.id }))
      .conversation;
    const now = Date.now();
    // seqs 1..3, then what a re-seed leaves: 100 never-used seqs, then 104, 105
    for (const seq of [1, 2, 3, 104, 105])
      await s.messages.insert(message(dm.id, seq, bob.id, new Date(now + seq)));
    await s.db.membership.update({
      where: { conversationId_userId: { conversationId: dm.id, userId: me.id } },
      data: { lastReadSeq: 2n },
    });
    const [summary] = await listConversations(s, me.id);
    expect(summary).toMatchObject({ id: dm.id, lastSeq: 105, unread: 3 });
    const synced = await syncConversations(s, {
      actor: { userId: me.id, role: "USER" },
      conversations: { [dm.id]: 105 },
    });
    expect(synced[dm.id]).toMatchObject({ lastSeq: 105, unread: 3 });
  });

  it("never goes negative when the read mark is ahead of the stored head", async () => {
    const [me, bob] = (await users(2)) as [User, User];
    const dm = (await createDirectConversation(s, { callerId: me.id, otherUserId: bob.id }))
      .conversation;
    await s.db.membership.update({
      where: { conversationId_userId: { conversationId: dm.id, userId: me.id } },
      data: { lastReadSeq: 9n },
    });
    expect((await getConversation(s, { callerId: me.id, conversationId: dm.id })).unread).toBe(0);
  });
});

describe("createDirectConversation", () => {
  it("is idempotent per pair, from either side", async () => {
    const [me, bob] = (await users(2)) as [User, User];
    const first = await createDirectConversation(s, { callerId: me.id, otherUserId: bob.id });
    const again = await createDirectConversation(s, { callerId: me.id, otherUserId: bob.id });
    const reverse = await createDirectConversation(s, { callerId: bob.id, otherUserId: me.id });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, conversation: { id: first.conversation.id } });
    expect(reverse).toMatchObject({ created: false, conversation: { id: first.conversation.id } });
    expect(eventsFor(first.conversation.id)).toEqual([
      {
        userIds: [me.id, bob.id],
        event: { conversationId: first.conversation.id, reason: "created" },
      },
    ]);
  });

  it("survives concurrent creates: one conversation, exactly one `created`", async () => {
    const [me, bob] = (await users(2)) as [User, User];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        createDirectConversation(
          s,
          i % 2
            ? { callerId: me.id, otherUserId: bob.id }
            : { callerId: bob.id, otherUserId: me.id },
        ),
      ),
    );
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(
      await s.db.conversation.count({ where: { memberships: { some: { userId: me.id } } } }),
    ).toBe(1);
  });

  it("refuses yourself (INVALID_PAYLOAD) and unknown or inactive users (NOT_FOUND)", async () => {
    const [me] = (await users(1)) as [User];
    const banned = await createTestUser(s.db, { status: "BANNED" });
    await expect(
      createDirectConversation(s, { callerId: me.id, otherUserId: me.id }),
    ).rejects.toMatchObject({ code: "INVALID_PAYLOAD" });
    await expect(
      createDirectConversation(s, { callerId: me.id, otherUserId: randomUUID() }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      createDirectConversation(s, { callerId: me.id, otherUserId: banned.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("groups", () => {
  it("creates a group with the caller as OWNER and refuses inactive members", async () => {
    const [me, bob] = (await users(2)) as [User, User];
    const suspended = await createTestUser(s.db, { status: "SUSPENDED" });
    const group = await createGroupConversation(s, {
      callerId: me.id,
      title: "Solo-ish",
      memberIds: [bob.id, me.id],
    });
    expect(group.members.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [me.id, "OWNER"],
        [bob.id, "MEMBER"],
      ].sort(),
    );
    await expect(
      createGroupConversation(s, {
        callerId: me.id,
        title: "Nope",
        memberIds: [bob.id, suspended.id],
      }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining(suspended.id) as unknown,
    });
  });

  it("lets owners and admins add members; members get FORBIDDEN, outsiders NOT_FOUND", async () => {
    const [owner, admin, member, outsider, newbie, other] = (await users(6)) as [
      User,
      User,
      User,
      User,
      User,
      User,
    ];
    const group = await createGroupConversation(s, {
      callerId: owner.id,
      title: "Club",
      memberIds: [admin.id, member.id],
    });
    await s.db.membership.update({
      where: { conversationId_userId: { conversationId: group.id, userId: admin.id } },
      data: { role: "ADMIN" },
    });

    await expect(
      addMembers(s, { callerId: member.id, conversationId: group.id, userIds: [newbie.id] }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      addMembers(s, { callerId: outsider.id, conversationId: group.id, userIds: [newbie.id] }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      addMembers(s, { callerId: owner.id, conversationId: randomUUID(), userIds: [newbie.id] }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });

    const updated = await addMembers(s, {
      callerId: admin.id,
      conversationId: group.id,
      userIds: [newbie.id, member.id],
    });
    expect(updated.members.find((m) => m.userId === newbie.id)?.role).toBe("MEMBER");
    expect(await memberIds(group.id)).toEqual([owner.id, admin.id, member.id, newbie.id].sort());
    expect(eventsFor(group.id).at(-1)).toEqual({
      userIds: expect.arrayContaining([owner.id, admin.id, member.id, newbie.id]) as unknown,
      event: { conversationId: group.id, reason: "members_added" },
    });

    const dm = (await createDirectConversation(s, { callerId: owner.id, otherUserId: other.id }))
      .conversation;
    await expect(
      addMembers(s, { callerId: owner.id, conversationId: dm.id, userIds: [newbie.id] }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses to grow a group past the member limit (CONFLICT)", async () => {
    const [owner, extra] = (await users(2)) as [User, User];
    const group = await createGroupConversation(s, {
      callerId: owner.id,
      title: "Full",
      memberIds: [],
    });
    // Fill the group with placeholder users directly (creating 499 through the API would be slow).
    const filler = await Promise.all(
      Array.from({ length: LIMITS.groupMaxMembers - 1 }, (_, i) =>
        s.db.user.create({
          data: { email: `filler-${randomUUID()}@test.relay`, name: `Filler ${i}` },
        }),
      ),
    );
    await s.db.membership.createMany({
      data: filler.map((u) => ({ conversationId: group.id, userId: u.id })),
    });
    await expect(
      addMembers(s, { callerId: owner.id, conversationId: group.id, userIds: [extra.id] }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("removes members by role rules, invalidates the member cache and notifies the removed user", async () => {
    const [owner, admin, member, member2] = (await users(4)) as [User, User, User, User];
    const group = await createGroupConversation(s, {
      callerId: owner.id,
      title: "Rules",
      memberIds: [admin.id, member.id, member2.id],
    });
    await s.db.membership.update({
      where: { conversationId_userId: { conversationId: group.id, userId: admin.id } },
      data: { role: "ADMIN" },
    });

    await expect(
      removeMember(s, { callerId: member.id, conversationId: group.id, userId: member2.id }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      removeMember(s, { callerId: admin.id, conversationId: group.id, userId: owner.id }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      removeMember(s, { callerId: owner.id, conversationId: group.id, userId: randomUUID() }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });

    // Warm the cache realtime reads, then remove: the cache must not keep the removed member.
    expect((await s.membership.get(group.id))?.members.map((m) => m.userId)).toContain(member.id);
    await removeMember(s, { callerId: admin.id, conversationId: group.id, userId: member.id });
    expect(await s.redis.exists(s.keys.members(group.id))).toBe(0);
    expect((await s.membership.get(group.id))?.members.map((m) => m.userId)).not.toContain(
      member.id,
    );
    expect(eventsFor(group.id).at(-1)).toEqual({
      userIds: expect.arrayContaining([owner.id, admin.id, member.id, member2.id]) as unknown,
      event: { conversationId: group.id, reason: "member_removed" },
    });
    expect((await listConversations(s, member.id)).map((c) => c.id)).not.toContain(group.id);
    await expect(
      getConversation(s, { callerId: member.id, conversationId: group.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });

    await removeMember(s, { callerId: owner.id, conversationId: group.id, userId: admin.id });
    expect(await memberIds(group.id)).toEqual([owner.id, member2.id].sort());
  });
});

describe("leaveConversation", () => {
  it("leaves a group; the last owner hands over to the longest-standing member; the last one out deletes it", async () => {
    const [owner, first, second] = (await users(3)) as [User, User, User];
    const group = await createGroupConversation(s, {
      callerId: owner.id,
      title: "Leavers",
      memberIds: [first.id],
    });
    await addMembers(s, { callerId: owner.id, conversationId: group.id, userIds: [second.id] });

    await leaveConversation(s, { callerId: owner.id, conversationId: group.id });
    expect(eventsFor(group.id).at(-1)?.event.reason).toBe("left");
    const after = await getConversation(s, { callerId: first.id, conversationId: group.id });
    expect(after.members.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [first.id, "OWNER"],
        [second.id, "MEMBER"],
      ].sort(),
    );
    await expect(
      leaveConversation(s, { callerId: owner.id, conversationId: group.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });

    await leaveConversation(s, { callerId: second.id, conversationId: group.id });
    await leaveConversation(s, { callerId: first.id, conversationId: group.id });
    expect(
      (await s.db.conversation.findUnique({ where: { id: group.id } }))?.deletedAt,
    ).toBeInstanceOf(Date);
    expect(await s.membership.get(group.id)).toBeNull();
  });

  it("removing yourself is leaving: an owner removing themself hands ownership on", async () => {
    const [owner, admin, member] = (await users(3)) as [User, User, User];
    const group = await createGroupConversation(s, {
      callerId: owner.id,
      title: "Self",
      memberIds: [member.id, admin.id],
    });
    await s.db.membership.update({
      where: { conversationId_userId: { conversationId: group.id, userId: admin.id } },
      data: { role: "ADMIN" },
    });
    await removeMember(s, { callerId: owner.id, conversationId: group.id, userId: owner.id });
    const after = await getConversation(s, { callerId: member.id, conversationId: group.id });
    // The ADMIN is preferred over the longer-standing MEMBER.
    expect(after.members.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [admin.id, "OWNER"],
        [member.id, "MEMBER"],
      ].sort(),
    );
    expect(eventsFor(group.id).at(-1)?.event.reason).toBe("left");
  });

  it("refuses to leave a direct conversation (FORBIDDEN)", async () => {
    const [me, bob] = (await users(2)) as [User, User];
    const dm = (await createDirectConversation(s, { callerId: me.id, otherUserId: bob.id }))
      .conversation;
    await expect(
      leaveConversation(s, { callerId: me.id, conversationId: dm.id }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      removeMember(s, { callerId: me.id, conversationId: dm.id, userId: bob.id }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await memberIds(dm.id)).toEqual([me.id, bob.id].sort());
  });
});

describe("setConversationMute", () => {
  it("sets and clears the caller's mute, visible in the summary and the member cache", async () => {
    const [me, bob] = (await users(2)) as [User, User];
    const dm = (await createDirectConversation(s, { callerId: me.id, otherUserId: bob.id }))
      .conversation;
    await s.membership.get(dm.id); // warm the cache
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      (await setConversationMute(s, { callerId: me.id, conversationId: dm.id, mutedUntil: until }))
        .mutedUntil,
    ).toBe(until);
    expect(
      (await s.membership.get(dm.id))?.members.find((m) => m.userId === me.id)?.mutedUntil,
    ).toBe(until);
    expect(
      (await getConversation(s, { callerId: bob.id, conversationId: dm.id })).mutedUntil,
    ).toBeNull();
    expect(eventsFor(dm.id).at(-1)).toEqual({
      userIds: [me.id],
      event: { conversationId: dm.id, reason: "updated" },
    });

    expect(
      (await setConversationMute(s, { callerId: me.id, conversationId: dm.id, mutedUntil: null }))
        .mutedUntil,
    ).toBeNull();
    const [outsider] = (await users(1)) as [User];
    await expect(
      setConversationMute(s, { callerId: outsider.id, conversationId: dm.id, mutedUntil: null }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
