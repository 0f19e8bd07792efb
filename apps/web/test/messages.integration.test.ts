// GET /api/v1/conversations/:id/messages: message history over REST, through
// the same authedRoute as every other route (a suspended caller is refused on
// the very next request) and the same core use case as message:history.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { sendMessage } from "@relay/core";
import { ZConversationSummarySchema, ZMessageHistoryResultSchema } from "@relay/shared/schemas";
import { GET as history } from "../src/app/api/v1/conversations/[id]/messages/route";
import { POST as create } from "../src/app/api/v1/conversations/route";
import { getDeps } from "../src/server/deps";
import { bodyOf, call, errorOf, newAccount, type TestAccount } from "./helpers";

async function dmWithMessages(count: number) {
  const [alice, bob] = await Promise.all([newAccount(), newAccount()]);
  const res = await call(create, {
    token: alice.accessToken,
    body: { type: "direct", userId: bob.id },
  });
  const conv = bodyOf(res, z.object({ conversation: ZConversationSummarySchema })).conversation;
  for (let i = 1; i <= count; i++)
    await sendMessage(getDeps(), {
      actor: { userId: alice.id, role: "USER" },
      conversationId: conv.id,
      clientMsgId: randomUUID(),
      body: `m${i}`,
    });
  return { alice, bob, conversationId: conv.id };
}

const get = (who: TestAccount | null, conversationId: string, query?: Record<string, string>) =>
  call(history, {
    ...(who ? { token: who.accessToken } : {}),
    params: { id: conversationId },
    ...(query ? { query } : {}),
  });

describe("GET /api/v1/conversations/:id/messages", () => {
  it("pages a member's history by seq, both ways", async () => {
    const { bob, conversationId } = await dmWithMessages(5);
    const latest = bodyOf(await get(bob, conversationId), ZMessageHistoryResultSchema);
    expect(latest.messages.map((m) => m.body)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(latest.hasMore).toBe(false);

    const before = await get(bob, conversationId, { beforeSeq: "4", limit: "2" });
    expect(before.status).toBe(200);
    const page = bodyOf(before, ZMessageHistoryResultSchema);
    expect(page.messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(page.hasMore).toBe(true);

    const after = bodyOf(
      await get(bob, conversationId, { afterSeq: "3" }),
      ZMessageHistoryResultSchema,
    );
    expect(after.messages.map((m) => m.body)).toEqual(["m4", "m5"]);
  });

  it("refuses non-members (403), anonymous callers (401) and bad queries (400)", async () => {
    const { alice, conversationId } = await dmWithMessages(1);
    const mallory = await newAccount();
    const forbidden = await get(mallory, conversationId);
    expect([forbidden.status, errorOf(forbidden).code]).toEqual([403, "FORBIDDEN"]);
    const unknown = await get(mallory, randomUUID());
    expect(errorOf(unknown)).toEqual(errorOf(forbidden)); // unknown ids look the same
    expect((await get(null, conversationId)).status).toBe(401);

    for (const query of <Array<Record<string, string>>>[
      { limit: "abc" },
      { limit: "101" },
      { limit: "0" },
      { beforeSeq: "3", afterSeq: "1" },
      { page: "2" },
    ]) {
      const res = await get(alice, conversationId, query);
      expect([res.status, errorOf(res).code], JSON.stringify(query)).toEqual([
        400,
        "INVALID_PAYLOAD",
      ]);
    }
    const badId = await call(history, { token: alice.accessToken, params: { id: "1 OR 1=1" } });
    expect(errorOf(badId)).toEqual({ code: "INVALID_PAYLOAD", message: "id: invalid uuid" });
  });

  it("refuses a suspended member with 403 on the next request, with a still-valid token", async () => {
    const { bob, conversationId } = await dmWithMessages(2);
    expect((await get(bob, conversationId)).status).toBe(200);
    await getDeps().db.user.update({ where: { id: bob.id }, data: { status: "SUSPENDED" } });
    const refused = await get(bob, conversationId);
    expect([refused.status, errorOf(refused)]).toEqual([
      403,
      { code: "FORBIDDEN", message: "account suspended" },
    ]);
    await getDeps().db.user.update({ where: { id: bob.id }, data: { status: "BANNED" } });
    expect(errorOf(await get(bob, conversationId)).message).toBe("account banned");
  });
});
