// CSRF: a cookie-authenticated request that changes something must come from
// the app's own origin (the probe made a user leave a group from another site
// with a plain cross-site POST carrying the session cookie).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ZConversationSummarySchema } from "@relay/shared/schemas";
import { POST as leave } from "../src/app/api/v1/conversations/[id]/leave/route";
import { GET as list, POST as create } from "../src/app/api/v1/conversations/route";
import { bodyOf, browserSignIn, call, errorOf, newAccount, PASSWORD } from "./helpers";

async function groupWithBrowserMember() {
  const [owner, member] = await Promise.all([newAccount(), newAccount()]);
  const res = await call(create, {
    token: owner.accessToken,
    body: { type: "group", title: "CSRF", memberIds: [member.id] },
  });
  const conv = bodyOf(res, z.object({ conversation: ZConversationSummarySchema })).conversation;
  const { code, cookie } = await browserSignIn(member.email, PASSWORD);
  expect(code).toBe("ok");
  return { conversationId: conv.id, member, cookie };
}

const leaveAs = (cookie: string, conversationId: string, headers: Record<string, string>) =>
  call(leave, {
    method: "POST",
    params: { id: conversationId },
    headers: { cookie, ...headers },
  });

describe("cookie-authenticated mutations", () => {
  it("are refused from another origin, and nothing changes", async () => {
    const { conversationId, member, cookie } = await groupWithBrowserMember();
    for (const headers of <Array<Record<string, string>>>[
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      {}, // neither header: not provably same-origin
      { origin: "null" },
    ]) {
      const res = await leaveAs(cookie, conversationId, headers);
      expect([res.status, errorOf(res)], JSON.stringify(headers)).toEqual([
        403,
        { code: "FORBIDDEN", message: "cross-site request refused" },
      ]);
    }
    const still = await call(list, { token: member.accessToken });
    expect(
      bodyOf(
        still,
        z.object({ conversations: z.array(ZConversationSummarySchema) }),
      ).conversations.map((c) => c.id),
    ).toContain(conversationId);
  });

  it("work from the app's own origin; reads and Bearer requests need no Origin", async () => {
    const { conversationId, cookie } = await groupWithBrowserMember();
    expect((await call(list, { headers: { cookie, origin: "https://evil.example" } })).status).toBe(
      200,
    );
    expect(
      (
        await leaveAs(cookie, conversationId, {
          origin: "http://localhost:3000",
          "sec-fetch-site": "same-origin",
        })
      ).status,
    ).toBe(204);
    const other = await groupWithBrowserMember();
    const bearer = await call(leave, {
      method: "POST",
      params: { id: other.conversationId },
      token: other.member.accessToken,
      headers: { origin: "https://evil.example" },
    });
    expect(bearer.status).toBe(204);
  });
});
