// Who may watch whose presence (the "contacts" rule) and its revocation, on
// the real stores with the recording event port: participation is recorded
// by creation and the first send, and every way a shared conversation goes
// away (removal, leave, moderator removal, group deletion) takes exactly the
// watches that no longer qualify away — in both directions, and only those.
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { User } from "@relay/db";
import { PRESENCE_ROOM_PREFIX } from "../events/port";
import { sendMessage } from "../messages/send-message";
import { deleteGroup, removeGroupMember } from "../moderation/admin-conversations";
import { createTestUser, openTestStores } from "../testing";
import { authorizePresenceWatch, lostPresenceWatches } from "./contacts";
import {
  createDirectConversation,
  createGroupConversation,
  leaveConversation,
  removeMember,
} from "./conversations";

const s = openTestStores();
afterAll(() => s.close());
beforeEach(() => {
  s.events.left.length = 0;
});

const users = (n: number) => Promise.all(Array.from({ length: n }, () => createTestUser(s.db)));

const send = (u: User, conversationId: string) =>
  sendMessage(s, {
    actor: { userId: u.id, role: u.role },
    conversationId,
    clientMsgId: randomUUID(),
    body: "hi",
  });

/** Which of `targets` `watcher` may watch now. */
async function watchable(watcher: User, targets: User[]): Promise<string[]> {
  const allowed = await authorizePresenceWatch(s, {
    watcherId: watcher.id,
    userIds: targets.map((t) => t.id),
  });
  return targets.filter((t) => allowed.has(t.id)).map((t) => t.id);
}

/** A group by `owner` in which every one of `talkers` has sent a message. */
async function group(owner: User, members: User[], talkers: User[] = members) {
  const g = await createGroupConversation(s, {
    callerId: owner.id,
    title: "Contacts",
    memberIds: members.map((m) => m.id),
  });
  for (const t of talkers) await send(t, g.id);
  return g.id;
}

/** The recorded leaveRooms as "watcher→target" pairs, sorted. */
function revoked(names: Map<string, string>): string[] {
  return s.events.left
    .flatMap((l) =>
      l.userIds.flatMap((u) =>
        l.rooms.map((r) => {
          expect(r.startsWith(PRESENCE_ROOM_PREFIX)).toBe(true);
          const target = r.slice(PRESENCE_ROOM_PREFIX.length);
          return `${names.get(u) ?? u}→${names.get(target) ?? target}`;
        }),
      ),
    )
    .sort();
}
const named = (all: Record<string, User>) =>
  new Map(Object.entries(all).map(([name, u]) => [u.id, name]));

describe("the watch rule: only people who participated in a shared conversation", () => {
  it("a member added to a stranger's group cannot be watched until they send a message there; the creator can be at once", async () => {
    const [stranger, victim] = (await users(2)) as [User, User];
    const g = await createGroupConversation(s, {
      callerId: stranger.id,
      title: "Surprise",
      memberIds: [victim.id],
    });
    expect(await watchable(stranger, [victim, stranger])).toEqual([stranger.id]);
    expect(await watchable(victim, [stranger])).toEqual([stranger.id]);

    await send(victim, g.id);
    expect(await watchable(stranger, [victim])).toEqual([victim.id]);
    // Unknown ids are refused like unrelated ones.
    expect(
      (await authorizePresenceWatch(s, { watcherId: victim.id, userIds: [randomUUID()] })).size,
    ).toBe(0);
  });

  it("a DM: its opener participates; the other person once they open it too or reply", async () => {
    const [alice, bob, carol] = (await users(3)) as [User, User, User];
    await createDirectConversation(s, { callerId: alice.id, otherUserId: bob.id });
    expect(await watchable(alice, [bob])).toEqual([]);
    expect(await watchable(bob, [alice])).toEqual([alice.id]);
    // Bob opens the same DM from his side: his choice too.
    const again = await createDirectConversation(s, { callerId: bob.id, otherUserId: alice.id });
    expect(again.created).toBe(false);
    expect(await watchable(alice, [bob])).toEqual([bob.id]);

    const dm = (await createDirectConversation(s, { callerId: alice.id, otherUserId: carol.id }))
      .conversation;
    await send(carol, dm.id);
    expect(await watchable(alice, [carol])).toEqual([carol.id]);
  });

  it("a deleted conversation no longer counts", async () => {
    const [owner, member, admin] = (await users(3)) as [User, User, User];
    const g = await group(owner, [member]);
    expect(await watchable(member, [owner])).toEqual([owner.id]);
    await deleteGroup(
      s,
      { actor: { userId: admin.id, role: "ADMIN" } },
      { conversationId: g, reason: "test" },
    );
    expect(await watchable(member, [owner])).toEqual([]);
    expect(await watchable(owner, [member])).toEqual([]);
  });

  it("the first send records participation with one conditional UPDATE; later sends write none", async () => {
    const [owner, member] = (await users(2)) as [User, User];
    const g = await group(owner, [member], []);
    const statements: string[] = [];
    const db = new Proxy(s.db, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== "$executeRaw" || typeof value !== "function") return value;
        return (sql: TemplateStringsArray, ...args: unknown[]) => {
          statements.push(sql.join("?"));
          return (value as (...a: unknown[]) => unknown).call(target, sql, ...args);
        };
      },
    });
    const counting = { ...s, db };
    const sendAs = (u: User) =>
      sendMessage(counting, {
        actor: { userId: u.id, role: u.role },
        conversationId: g,
        clientMsgId: randomUUID(),
        body: "x",
      });
    const participations = () => statements.filter((q) => q.includes('"participatedAt"')).length;

    await sendAs(member);
    expect(participations()).toBe(1);
    const row = await s.db.membership.findUniqueOrThrow({
      where: { conversationId_userId: { conversationId: g, userId: member.id } },
    });
    expect(row.participatedAt).toBeInstanceOf(Date);
    for (let i = 0; i < 3; i++) await sendAs(member);
    await sendAs(owner); // the creator participated from the start
    expect(participations()).toBe(1);
    // A later send never moves the first participation.
    expect(
      (
        await s.db.membership.findUniqueOrThrow({
          where: { conversationId_userId: { conversationId: g, userId: member.id } },
        })
      ).participatedAt,
    ).toEqual(row.participatedAt);
  });
});

describe("revocation when a shared conversation goes away", () => {
  it("removing a member revokes both directions with everyone they no longer share a qualifying conversation with — two publishes", async () => {
    const [owner, removed, talker, silent, friend] = (await users(5)) as [
      User,
      User,
      User,
      User,
      User,
    ];
    const all = { owner, removed, talker, silent, friend };
    const g = await group(owner, [removed, talker, silent, friend], [removed, talker, friend]);
    // The friend and the removed user also share a DM where both participated.
    await createDirectConversation(s, { callerId: removed.id, otherUserId: friend.id });
    await createDirectConversation(s, { callerId: friend.id, otherUserId: removed.id });
    // And a group of the removed user's where the owner never spoke: the
    // owner may still watch the removed user there, not the other way round.
    await group(removed, [owner], []);

    await removeMember(s, { callerId: owner.id, conversationId: g, userId: removed.id });

    expect(revoked(named(all))).toEqual(
      [
        "removed→owner",
        "removed→talker",
        "removed→silent",
        "talker→removed",
        "silent→removed",
      ].sort(),
    );
    expect(s.events.left).toHaveLength(2);
    expect(await watchable(removed, [owner, talker, silent, friend])).toEqual([friend.id]);
    expect(await watchable(owner, [removed])).toEqual([removed.id]);
    expect(await watchable(talker, [removed])).toEqual([]);
  });

  it("leaving revokes like a removal", async () => {
    const [owner, leaver, other] = (await users(3)) as [User, User, User];
    const g = await group(owner, [leaver, other]);
    await leaveConversation(s, { callerId: leaver.id, conversationId: g });
    expect(revoked(named({ owner, leaver, other }))).toEqual(
      ["leaver→owner", "leaver→other", "owner→leaver", "other→leaver"].sort(),
    );
    expect(await watchable(owner, [other])).toEqual([other.id]); // they still share it
  });

  it("a moderator's removal and a group deletion revoke too; a deletion covers every pair not kept elsewhere", async () => {
    const [owner, a, b, mod] = (await users(4)) as [User, User, User, User];
    const ctx = { actor: { userId: mod.id, role: "ADMIN" as const } };
    const g1 = await group(owner, [a, b]);
    await removeGroupMember(s, ctx, { conversationId: g1, userId: b.id, reason: "test" });
    expect(revoked(named({ owner, a, b }))).toEqual(["b→owner", "b→a", "owner→b", "a→b"].sort());

    s.events.left.length = 0;
    // Another group of the owner's where a never spoke: a keeps watching the owner, not back.
    await group(owner, [a], []);
    await deleteGroup(s, ctx, { conversationId: g1, reason: "test" });
    expect(revoked(named({ owner, a, b }))).toEqual(["owner→a"]);
  });

  it("lostPresenceWatches is one query over both directions and ignores self-pairs", async () => {
    const [x, y] = (await users(2)) as [User, User];
    const lost = await lostPresenceWatches(s.db, { parted: [x.id], others: [x.id, y.id] });
    expect(
      lost.map((l) => `${l.watcher === x.id ? "x" : "y"}→${l.target === x.id ? "x" : "y"}`).sort(),
    ).toEqual(["x→y", "y→x"]);
  });
});
