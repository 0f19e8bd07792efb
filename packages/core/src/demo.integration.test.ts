import { afterAll, describe, expect, it } from "vitest";
import { seedDemoActivity } from "./demo";
import { createTestUser, openTestStores } from "./testing";

const s = openTestStores();
afterAll(() => s.close());

describe("seedDemoActivity", () => {
  it("posts the demo messages and two reports of the spam once, through the use cases", async () => {
    const [alice, bob, sam] = await Promise.all([1, 2, 3].map(() => createTestUser(s.db)));
    const group = await s.db.conversation.create({
      data: {
        type: "GROUP",
        title: "Demo",
        memberships: { create: [alice!, bob!, sam!].map((u) => ({ userId: u.id })) },
      },
    });
    const demo = { users: { alice: alice!, bob: bob!, sam: sam! }, groupId: group.id };
    expect(await seedDemoActivity(s, demo)).toEqual({ seeded: true });
    expect(await seedDemoActivity(s, demo)).toEqual({ seeded: false });
    const page = await s.messages.page(group.id, { limit: 10 });
    expect(page.messages.map((m) => m.senderId)).toEqual([alice!.id, bob!.id, sam!.id]);
    const reports = await s.db.report.findMany({ where: { conversationId: group.id } });
    expect(reports.map((r) => [r.authorId, r.category, r.status])).toEqual([
      [sam!.id, "SPAM", "OPEN"],
      [sam!.id, "SPAM", "OPEN"],
    ]);
  });
});
