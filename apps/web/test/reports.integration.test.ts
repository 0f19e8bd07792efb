// POST /api/v1/reports: members report a message; the answer is "received"
// and nothing more; refusals get their codes; the report reaches the queue.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { listReportQueue, sendMessage } from "@relay/core";
import { ZConversationSummarySchema, ZReportReceiptSchema } from "@relay/shared/schemas";
import { POST as create } from "../src/app/api/v1/conversations/route";
import { POST as report } from "../src/app/api/v1/reports/route";
import { getDeps } from "../src/server/deps";
import { bodyOf, call, errorOf, newAccount, type TestAccount } from "./helpers";

async function spamInDm() {
  const [spammer, victim] = await Promise.all([newAccount(), newAccount()]);
  const res = await call(create, {
    token: victim.accessToken,
    body: { type: "direct", userId: spammer.id },
  });
  const conv = bodyOf(res, z.object({ conversation: ZConversationSummarySchema })).conversation;
  const sent = await sendMessage(getDeps(), {
    actor: { userId: spammer.id, role: "USER" },
    conversationId: conv.id,
    clientMsgId: randomUUID(),
    body: "click here to win",
  });
  return { spammer, victim, conversationId: conv.id, messageId: sent.messageId };
}

const post = (who: TestAccount, body: unknown) => call(report, { token: who.accessToken, body });

describe("POST /api/v1/reports", () => {
  it("answers 202 received, once or twice, and the queue has the report", async () => {
    const { spammer, victim, conversationId, messageId } = await spamInDm();
    const body = { conversationId, messageId, category: "SPAM", reason: "scam link" };
    const first = await post(victim, body);
    expect(first.status).toBe(202);
    expect(bodyOf(first, ZReportReceiptSchema)).toEqual({ status: "received" });
    expect(Object.keys(first.body as object)).toEqual(["status"]); // nothing about the outcome
    expect((await post(victim, body)).status).toBe(202);

    const queue = await listReportQueue(
      getDeps(),
      { actor: { userId: randomUUID(), role: "MODERATOR" } },
      { status: "OPEN", limit: 100 },
    );
    expect(queue.items.find((i) => i.messageId === messageId)).toMatchObject({
      reports: 1,
      authorId: spammer.id,
      categories: ["SPAM"],
      reasons: ["scam link"],
    });
  });

  it("refuses non-members, unknown messages, your own message and bad input", async () => {
    const { spammer, conversationId, messageId } = await spamInDm();
    const outsider = await newAccount();
    const ok = { conversationId, messageId, category: "SPAM" };
    const cases: Array<[TestAccount, unknown, number, string]> = [
      [outsider, ok, 403, "FORBIDDEN"],
      [spammer, ok, 400, "INVALID_PAYLOAD"],
      [spammer, { ...ok, messageId: randomUUID() }, 404, "NOT_FOUND"],
      [spammer, { ...ok, category: "BORING" }, 400, "INVALID_PAYLOAD"],
      [spammer, { ...ok, reason: "x".repeat(1001) }, 400, "INVALID_PAYLOAD"],
      [spammer, { ...ok, extra: true }, 400, "INVALID_PAYLOAD"],
    ];
    for (const [who, body, status, code] of cases) {
      const res = await post(who, body);
      expect([res.status, errorOf(res).code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await call(report, { body: ok })).status).toBe(401);
  });

  it("rate-limits a reporter with 429", async () => {
    const { victim, conversationId } = await spamInDm();
    const limit = getDeps().limits.rules.report.points;
    const statuses: number[] = [];
    // Distinct (unknown) messages: each counts against the limit before the lookup.
    for (let i = 0; i <= limit; i++)
      statuses.push(
        (await post(victim, { conversationId, messageId: randomUUID(), category: "SPAM" })).status,
      );
    expect(statuses.slice(0, limit).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
