import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./index";
import { verifyPassword } from "./passwords";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "./seed";
import { scratchDatabase, prismaCli } from "./testing";

describe("demo seed", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it("creates an admin, a moderator, three users, a DM and a group, and is idempotent", async () => {
    const scratch = await scratchDatabase("relay_seed");
    cleanups.push(scratch.drop);
    await prismaCli(["migrate", "deploy"], scratch.url);
    const db = createDb({ url: scratch.url, max: 2 });
    cleanups.unshift(() => db.$disconnect());

    const first = await seedDemo(db);
    await seedDemo(db);

    expect(await db.user.count()).toBe(DEMO_USERS.length);
    expect(await db.conversation.count()).toBe(2);
    expect(first.users.admin.role).toBe("ADMIN");
    expect(first.users.mod.role).toBe("MODERATOR");
    expect(await verifyPassword(first.users.alice.passwordHash!, DEMO_PASSWORD)).toBe(true);
    expect(await verifyPassword(first.users.alice.passwordHash!, "wrong")).toBe(false);
    const members = await db.membership.findMany({ where: { conversationId: first.group.id } });
    expect(members.map((m) => m.userId).sort()).toEqual(
      Object.values(first.users)
        .map((u) => u.id)
        .sort(),
    );
  });
});
