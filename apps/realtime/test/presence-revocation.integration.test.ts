// Who may watch whom, and revoking watches when a shared conversation goes
// away, with real realtime nodes (two in this process, on a Redis prefix of
// their own), real Postgres/Redis/Cassandra and real clients. The rule
// (docs/presence.md): you may watch yourself and people who participated
// (created it, or sent a message) in a live conversation you share.
//
// To prove a negative ("no longer gets X's presence") each test first makes
// sure the revocation reached the nodes (the sockets left the rooms), then
// has X change status and, after it, someone the socket may still watch: the
// later event arriving without the earlier one shows it was not delivered.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDirectConversation,
  createGroupConversation,
  createLogger,
  createStores,
  deleteGroup,
  leaveConversation,
  presenceRoom,
  removeMember,
  type Stores,
} from "@relay/core";
import type { TPresence } from "@relay/shared/schemas";
import {
  connectAs,
  createUser,
  newClientMsgId,
  nextEvent,
  record,
  request,
  type TestUser,
} from "./fixtures";
import { env, startNode, type TestClient, type TestNode } from "./helpers";

const PREFIX = `relay:test:presence-rev-${randomUUID().slice(0, 8)}:`;
const nodeEnv = { REDIS_PREFIX: PREFIX };

let nodes: TestNode[];
/** The web app's / admin console's side: its own stores, events through the Redis emitter. */
let webSide: Stores;
const open: TestClient[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startNode(nodeEnv), startNode(nodeEnv)]);
  await Promise.all(nodes.map((n) => n.app.presence.ready));
  webSide = createStores(
    { ...env, ...nodeEnv },
    { logger: createLogger({ app: "web-test", level: "error" }) },
  );
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await webSide.close();
});

/** Node A runs the use case (through its Socket.IO server); node B holds other sockets. */
const A = 0;
const B = 1;

async function client(node: number, user: TestUser) {
  const c = await connectAs(nodes[node]!.url, user);
  open.push(c);
  return c;
}

async function watch(c: TestClient, users: TestUser[]): Promise<string[]> {
  const res = await request<TPresence[]>(c, "presence:watch", { userIds: users.map((u) => u.id) });
  if (!res.ok) throw new Error(`watch failed: ${res.error.code} ${res.error.message}`);
  return res.data.map((p) => p.userId);
}

async function setStatus(c: TestClient, status: "online" | "away") {
  expect(await request(c, "presence:set", { status })).toEqual({ ok: true, data: null });
}

async function say(c: TestClient, conversationId: string) {
  const res = await request(c, "message:send", {
    conversationId,
    clientMsgId: newClientMsgId(),
    body: "here",
  });
  expect(res.ok).toBe(true);
}

/** Is the socket in `presence:<userId>` on whichever node holds it (the server's own room state)? */
function watching(c: TestClient, userId: string): boolean {
  return nodes.some(
    (n) => n.app.io.of("/").adapter.rooms.get(presenceRoom(userId))?.has(c.id!) ?? false,
  );
}

/** Until the revocation (or its absence) is visible in every node's room state. */
async function roomsSettle(expected: Array<[TestClient, TestUser, boolean]>) {
  await expect
    .poll(() => expected.map(([c, u]) => watching(c, u.id)), { timeout: 5_000 })
    .toEqual(expected.map(([, , still]) => still));
}

const presenceOf = (c: TestClient, user: TestUser, status: TPresence["status"]) =>
  nextEvent<TPresence>(c, "presence", (p) => p.userId === user.id && p.status === status);

const who = (seen: TPresence[], names: Record<string, TestUser>) =>
  seen.map((p) => `${Object.keys(names).find((k) => names[k]!.id === p.userId)}:${p.status}`);

describe("removed from a group", () => {
  it("the removed member's socket on node B stops getting former members' presence, they stop getting theirs, and a pair still sharing a DM keeps both", async () => {
    const [owner, removed, member, friend] = await Promise.all([
      createUser(),
      createUser(),
      createUser(),
      createUser(),
    ]);
    const names = { owner, removed, member, friend };
    const core = nodes[A]!.app.core;
    const g = await createGroupConversation(core, {
      callerId: owner.id,
      title: "Crew",
      memberIds: [removed.id, member.id, friend.id],
    });
    const dm = (
      await createDirectConversation(core, { callerId: removed.id, otherUserId: friend.id })
    ).conversation;

    const r = await client(B, removed);
    const m = await client(A, member);
    const o = await client(A, owner);
    const f = await client(A, friend);
    await say(r, g.id); // participation: the removed user and the member spoke in the group,
    await say(m, g.id);
    await say(f, dm.id); // the friend in the DM the removed user opened
    expect(await watch(r, [owner, member, friend])).toEqual([owner.id, member.id, friend.id]);
    expect(await watch(m, [removed, owner])).toEqual([removed.id, owner.id]);
    expect(await watch(o, [removed, member])).toEqual([removed.id, member.id]);
    expect(await watch(f, [removed])).toEqual([removed.id]);

    const told = nextEvent(
      r,
      "conversation:updated",
      (e: { reason: string }) => e.reason === "member_removed",
    );
    await removeMember(core, { callerId: owner.id, conversationId: g.id, userId: removed.id });
    await told;
    await roomsSettle([
      [r, owner, false],
      [r, member, false],
      [m, removed, false],
      [o, removed, false],
      [r, friend, true], // the DM still qualifies, both ways
      [f, removed, true],
      [m, owner, true], // untouched pairs stay
    ]);

    const seen = { r: record<TPresence>(r, "presence"), m: record<TPresence>(m, "presence") };
    const seenO = record<TPresence>(o, "presence");
    const seenF = record<TPresence>(f, "presence");
    // The later events each socket may still see …
    const later = Promise.all([
      presenceOf(r, friend, "away"),
      presenceOf(f, removed, "away"),
      presenceOf(m, owner, "online"),
      presenceOf(o, member, "online"),
    ]);
    await setStatus(m, "away");
    await setStatus(o, "away");
    await setStatus(r, "away");
    await setStatus(f, "away");
    await setStatus(o, "online");
    await setStatus(m, "online");
    await later;
    // … and nothing of the revoked pairs arrived before them.
    expect(who(seen.r, names)).toEqual(["friend:away"]);
    expect(who(seenF, names)).toEqual(["removed:away"]);
    expect(who(seen.m, names)).toEqual(["owner:away", "owner:online"]);
    expect(who(seenO, names)).toEqual(["member:away", "member:online"]);
    // Watching them again is refused now (left out of the ack, not an error).
    expect(await watch(r, [owner, member, friend])).toEqual([friend.id]);
    expect(await watch(m, [removed])).toEqual([]);
  });
});

describe("a stranger's new group", () => {
  it("does not let the stranger watch a user they added until that user sends a message there", async () => {
    const [stranger, victim] = await Promise.all([createUser(), createUser()]);
    const g = await createGroupConversation(nodes[A]!.app.core, {
      callerId: stranger.id,
      title: "Hi",
      memberIds: [victim.id],
    });
    const s = await client(A, stranger);
    const v = await client(B, victim);
    // The victim is refused (the rest of the request still works); the victim may watch the stranger.
    expect(await watch(s, [victim, stranger])).toEqual([stranger.id]);
    expect(watching(s, victim.id)).toBe(false);
    expect(await watch(v, [stranger])).toEqual([stranger.id]);

    const seen = record<TPresence>(s, "presence");
    const own = presenceOf(s, stranger, "away");
    await setStatus(v, "away");
    await setStatus(s, "away"); // the stranger's own status, which it watches, after the victim's
    await own;
    expect(who(seen, { stranger, victim })).toEqual(["stranger:away"]);

    await say(v, g.id);
    const res = await request<TPresence[]>(s, "presence:watch", { userIds: [victim.id] });
    expect(res).toEqual({
      ok: true,
      data: [{ userId: victim.id, status: "away", lastSeenAt: null }],
    });
    const back = presenceOf(s, victim, "online");
    await setStatus(v, "online");
    await back;
  });

  it("refusing an id the socket already watches drops that watch too", async () => {
    const [owner, member] = await Promise.all([createUser(), createUser()]);
    const g = await createGroupConversation(nodes[A]!.app.core, {
      callerId: owner.id,
      title: "Short",
      memberIds: [member.id],
    });
    const m = await client(B, member);
    expect(await watch(m, [owner])).toEqual([owner.id]);
    // The conversation goes away behind the watch's back (no use case, so no revocation) …
    await webSide.db.conversation.update({ where: { id: g.id }, data: { deletedAt: new Date() } });
    // … and asking again refuses it and leaves the room.
    expect(await watch(m, [owner])).toEqual([]);
    expect(watching(m, owner.id)).toBe(false);
  });
});

describe("leaving and deleting revoke too (use cases on the web/admin side, through the Redis emitter)", () => {
  it("leaving a group", async () => {
    const [owner, leaver, member] = await Promise.all([createUser(), createUser(), createUser()]);
    const names = { owner, leaver, member };
    const g = await createGroupConversation(webSide, {
      callerId: owner.id,
      title: "Leaving",
      memberIds: [leaver.id, member.id],
    });
    const l = await client(B, leaver);
    const m = await client(A, member);
    await say(l, g.id);
    await say(m, g.id);
    expect(await watch(l, [owner, member, leaver])).toEqual([owner.id, member.id, leaver.id]);
    expect(await watch(m, [leaver, member])).toEqual([leaver.id, member.id]);

    await leaveConversation(webSide, { callerId: leaver.id, conversationId: g.id });
    await roomsSettle([
      [l, owner, false],
      [l, member, false],
      [m, leaver, false],
      [l, leaver, true],
    ]);
    const seenL = record<TPresence>(l, "presence");
    const seenM = record<TPresence>(m, "presence");
    const later = Promise.all([presenceOf(l, leaver, "away"), presenceOf(m, member, "online")]);
    await setStatus(m, "away");
    await setStatus(l, "away");
    await setStatus(m, "online");
    await later;
    expect(who(seenL, names)).toEqual(["leaver:away"]);
    expect(who(seenM, names)).toEqual(["member:away", "member:online"]);
  });

  it("an admin deleting a group", async () => {
    const [owner, a, b, admin] = await Promise.all([
      createUser(),
      createUser(),
      createUser(),
      createUser("ADMIN"),
    ]);
    const names = { owner, a, b };
    const g = await createGroupConversation(webSide, {
      callerId: owner.id,
      title: "Doomed",
      memberIds: [a.id, b.id],
    });
    const ca = await client(A, a);
    const cb = await client(B, b);
    const co = await client(B, owner);
    await say(ca, g.id);
    await say(cb, g.id);
    expect(await watch(ca, [b, owner, a])).toEqual([b.id, owner.id, a.id]);
    expect(await watch(cb, [a, owner])).toEqual([a.id, owner.id]);
    expect(await watch(co, [a, b, owner])).toEqual([a.id, b.id, owner.id]);

    await deleteGroup(
      webSide,
      { actor: { userId: admin.id, role: "ADMIN" } },
      { conversationId: g.id, reason: "spam ring" },
    );
    await roomsSettle([
      [ca, b, false],
      [ca, owner, false],
      [cb, a, false],
      [cb, owner, false],
      [co, a, false],
      [co, b, false],
      [ca, a, true],
      [co, owner, true],
    ]);
    const seenA = record<TPresence>(ca, "presence");
    const seenB = record<TPresence>(cb, "presence");
    const seenO = record<TPresence>(co, "presence");
    const later = Promise.all([presenceOf(ca, a, "away"), presenceOf(co, owner, "online")]);
    await setStatus(cb, "away");
    await setStatus(co, "away");
    await setStatus(ca, "away");
    await setStatus(co, "online");
    await later;
    expect(who(seenA, names)).toEqual(["a:away"]);
    expect(who(seenO, names)).toEqual(["owner:away", "owner:online"]);
    expect(seenB).toEqual([]); // b watches nobody any more
  });
});
