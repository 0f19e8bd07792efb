import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ZConversationSummarySchema, ZUserPublicSchema } from "@relay/shared/schemas";
import { POST as leave } from "../src/app/api/v1/conversations/[id]/leave/route";
import { DELETE as removeMember } from "../src/app/api/v1/conversations/[id]/members/[userId]/route";
import { POST as addMembers } from "../src/app/api/v1/conversations/[id]/members/route";
import { PATCH as settings } from "../src/app/api/v1/conversations/[id]/settings/route";
import { GET as list, POST as create } from "../src/app/api/v1/conversations/route";
import { GET as searchUsers } from "../src/app/api/v1/users/route";
import { getDeps } from "../src/server/deps";
import { bodyOf, call, errorOf, newAccount, type TestAccount } from "./helpers";

const ZOneSchema = z.object({ conversation: ZConversationSummarySchema });
const ZListSchema = z.object({ conversations: z.array(ZConversationSummarySchema) });

async function listIds(account: TestAccount): Promise<string[]> {
  const res = await call(list, { token: account.accessToken });
  expect(res.status).toBe(200);
  return bodyOf(res, ZListSchema).conversations.map((c) => c.id);
}

async function newGroup(owner: TestAccount, members: TestAccount[], title = "Crew") {
  const res = await call(create, {
    token: owner.accessToken,
    body: { type: "group", title, memberIds: members.map((m) => m.id) },
  });
  expect(res.status).toBe(201);
  return bodyOf(res, ZOneSchema).conversation;
}

describe("GET /api/v1/users?query=", () => {
  it("finds people by name, without the caller, emails hidden", async () => {
    const tag = randomUUID().slice(0, 8);
    const me = await newAccount(`Me ${tag}`);
    const other = await newAccount(`Other ${tag}`);
    const res = await call(searchUsers, {
      token: me.accessToken,
      query: { query: tag.toUpperCase() },
    });
    expect(res.status).toBe(200);
    const { users } = bodyOf(res, z.object({ users: z.array(ZUserPublicSchema) }));
    expect(users.map((u) => u.id)).toEqual([other.id]);
    expect(users[0]?.email).toBeUndefined();
  });

  it("requires a query (400) and rejects unknown parameters (400)", async () => {
    const me = await newAccount();
    expect(errorOf(await call(searchUsers, { token: me.accessToken })).message).toContain(
      "query: required",
    );
    const extra = await call(searchUsers, {
      token: me.accessToken,
      query: { query: "a", page: "2" },
    });
    expect(extra.status).toBe(400);
    expect(errorOf(extra)).toEqual({ code: "INVALID_PAYLOAD", message: "unknown key: page" });
  });
});

describe("direct conversations", () => {
  it("creates a DM once (201) and returns the same one afterwards (200)", async () => {
    const me = await newAccount();
    const bob = await newAccount();
    const first = await call(create, {
      token: me.accessToken,
      body: { type: "direct", userId: bob.id },
    });
    expect(first.status).toBe(201);
    const dm = bodyOf(first, ZOneSchema).conversation;
    expect(dm).toMatchObject({
      type: "direct",
      title: null,
      lastMessage: null,
      lastSeq: 0,
      unread: 0,
    });

    const again = await call(create, {
      token: me.accessToken,
      body: { type: "direct", userId: bob.id },
    });
    const fromBob = await call(create, {
      token: bob.accessToken,
      body: { type: "direct", userId: me.id },
    });
    expect([again.status, fromBob.status]).toEqual([200, 200]);
    expect(bodyOf(again, ZOneSchema).conversation.id).toBe(dm.id);
    expect(bodyOf(fromBob, ZOneSchema).conversation.id).toBe(dm.id);
    expect(await listIds(bob)).toEqual([dm.id]);
  });

  it("concurrent creates all get the one DM, exactly one with 201", async () => {
    const me = await newAccount();
    const bob = await newAccount();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call(
          create,
          i % 2
            ? { token: me.accessToken, body: { type: "direct", userId: bob.id } }
            : { token: bob.accessToken, body: { type: "direct", userId: me.id } },
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => bodyOf(r, ZOneSchema).conversation.id)).size).toBe(1);
  });

  it("refuses unknown users (404) and yourself (400); a DM cannot be left (403)", async () => {
    const me = await newAccount();
    const bob = await newAccount();
    const unknown = await call(create, {
      token: me.accessToken,
      body: { type: "direct", userId: randomUUID() },
    });
    expect([unknown.status, errorOf(unknown).code]).toEqual([404, "NOT_FOUND"]);
    const self = await call(create, {
      token: me.accessToken,
      body: { type: "direct", userId: me.id },
    });
    expect([self.status, errorOf(self).code]).toEqual([400, "INVALID_PAYLOAD"]);

    const dm = bodyOf(
      await call(create, { token: me.accessToken, body: { type: "direct", userId: bob.id } }),
      ZOneSchema,
    ).conversation;
    const left = await call(leave, {
      token: me.accessToken,
      params: { id: dm.id },
      method: "POST",
    });
    expect([left.status, errorOf(left).code]).toEqual([403, "FORBIDDEN"]);
    expect(await listIds(me)).toContain(dm.id);
  });
});

describe("groups", () => {
  it("owner creates, adds and removes; a removed member no longer sees it and the member cache forgets them", async () => {
    const owner = await newAccount();
    const [a, b, c] = [await newAccount(), await newAccount(), await newAccount()];
    const group = await newGroup(owner, [a, b], "Launch");
    expect(group.members.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [owner.id, "OWNER"],
        [a.id, "MEMBER"],
        [b.id, "MEMBER"],
      ].sort(),
    );

    const added = await call(addMembers, {
      token: owner.accessToken,
      params: { id: group.id },
      body: { userIds: [c.id] },
    });
    expect(added.status).toBe(200);
    expect(bodyOf(added, ZOneSchema).conversation.members.map((m) => m.userId)).toContain(c.id);
    expect(await listIds(c)).toContain(group.id);

    const { membership } = getDeps();
    expect((await membership.get(group.id))?.members.map((m) => m.userId)).toContain(a.id); // cache warm
    const removed = await call(removeMember, {
      token: owner.accessToken,
      method: "DELETE",
      params: { id: group.id, userId: a.id },
    });
    expect(removed.status).toBe(204);
    expect(removed.body).toBeNull();
    expect(await listIds(a)).not.toContain(group.id);
    expect((await membership.get(group.id))?.members.map((m) => m.userId).sort()).toEqual(
      [owner.id, b.id, c.id].sort(),
    );

    const again = await call(removeMember, {
      token: owner.accessToken,
      method: "DELETE",
      params: { id: group.id, userId: a.id },
    });
    expect([again.status, errorOf(again).code]).toEqual([404, "NOT_FOUND"]);
  });

  it("a plain member cannot add (403) or remove (403); an outsider gets 404", async () => {
    const owner = await newAccount();
    const member = await newAccount();
    const outsider = await newAccount();
    const group = await newGroup(owner, [member]);

    const add = await call(addMembers, {
      token: member.accessToken,
      params: { id: group.id },
      body: { userIds: [outsider.id] },
    });
    expect([add.status, errorOf(add).code]).toEqual([403, "FORBIDDEN"]);
    const remove = await call(removeMember, {
      token: member.accessToken,
      method: "DELETE",
      params: { id: group.id, userId: owner.id },
    });
    expect([remove.status, errorOf(remove).code]).toEqual([403, "FORBIDDEN"]);
    const peek = await call(addMembers, {
      token: outsider.accessToken,
      params: { id: group.id },
      body: { userIds: [outsider.id] },
    });
    expect([peek.status, errorOf(peek).code]).toEqual([404, "NOT_FOUND"]);
    expect(await listIds(outsider)).not.toContain(group.id);
  });

  it("members leave (204); when the owner leaves, ownership passes on", async () => {
    const owner = await newAccount();
    const a = await newAccount();
    const b = await newAccount();
    const group = await newGroup(owner, [a, b]);

    const left = await call(leave, {
      token: b.accessToken,
      method: "POST",
      params: { id: group.id },
    });
    expect(left.status).toBe(204);
    expect(await listIds(b)).not.toContain(group.id);

    expect(
      (await call(leave, { token: owner.accessToken, method: "POST", params: { id: group.id } }))
        .status,
    ).toBe(204);
    const res = await call(list, { token: a.accessToken });
    const mine = bodyOf(res, ZListSchema).conversations.find((c) => c.id === group.id);
    expect(mine?.members).toEqual([{ userId: a.id, role: "OWNER", name: a.name }]);
  });
});

describe("PATCH /api/v1/conversations/:id/settings", () => {
  it("mutes and unmutes for the caller only", async () => {
    const me = await newAccount();
    const bob = await newAccount();
    const dm = bodyOf(
      await call(create, { token: me.accessToken, body: { type: "direct", userId: bob.id } }),
      ZOneSchema,
    ).conversation;
    const until = new Date(Date.now() + 86_400_000).toISOString();

    const muted = await call(settings, {
      token: me.accessToken,
      method: "PATCH",
      params: { id: dm.id },
      body: { mutedUntil: until },
    });
    expect(muted.status).toBe(200);
    expect(bodyOf(muted, ZOneSchema).conversation.mutedUntil).toBe(until);
    const bobsView = bodyOf(
      await call(list, { token: bob.accessToken }),
      ZListSchema,
    ).conversations.find((c) => c.id === dm.id);
    expect(bobsView?.mutedUntil).toBeNull();

    const unmuted = await call(settings, {
      token: me.accessToken,
      method: "PATCH",
      params: { id: dm.id },
      body: { mutedUntil: null },
    });
    expect(bodyOf(unmuted, ZOneSchema).conversation.mutedUntil).toBeNull();

    const bad = await call(settings, {
      token: me.accessToken,
      method: "PATCH",
      params: { id: dm.id },
      body: { mutedUntil: "tomorrow" },
    });
    expect([bad.status, errorOf(bad).code]).toEqual([400, "INVALID_PAYLOAD"]);
    const stranger = await newAccount();
    const notMine = await call(settings, {
      token: stranger.accessToken,
      method: "PATCH",
      params: { id: dm.id },
      body: { mutedUntil: null },
    });
    expect(notMine.status).toBe(404);
  });
});
