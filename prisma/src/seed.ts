// The demo seed used by `npm start`: an admin, a moderator, three users, a DM
// between Alice and Bob and a group with everyone. Idempotent: running it again
// changes nothing. (Demo messages and reports are added through the use cases
// by @relay/core's seedDemoActivity.)
// Demo credentials are documented in README.md; they exist only in dev data.
import type { PrismaClient } from "./generated/client";
import { hashPassword } from "./passwords";

export const DEMO_PASSWORD = "relay-demo-1";
export const DEMO_USERS = [
  { email: "admin@relay.local", name: "Ada Admin", role: "ADMIN" as const },
  { email: "alice@relay.local", name: "Alice Example", role: "USER" as const },
  { email: "bob@relay.local", name: "Bob Example", role: "USER" as const },
  { email: "mod@relay.local", name: "Mo Moderator", role: "MODERATOR" as const },
  { email: "sam@relay.local", name: "Sam Spammer", role: "USER" as const },
];
/** Fixed id so the group is found again on the next run. */
export const DEMO_GROUP_ID = "00000000-0000-4000-8000-00000000d3e0";

export const directKeyOf = (a: string, b: string) => [a, b].sort().join(":");

export async function seedDemo(db: PrismaClient) {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users = [];
  for (const u of DEMO_USERS) {
    users.push(
      await db.user.upsert({
        where: { email: u.email },
        update: {},
        create: { ...u, passwordHash },
      }),
    );
  }
  type TSeeded = (typeof users)[0];
  const [admin, alice, bob, mod, sam] = users as [TSeeded, TSeeded, TSeeded, TSeeded, TSeeded];
  const dm = await db.conversation.upsert({
    where: { directKey: directKeyOf(alice.id, bob.id) },
    update: {},
    create: {
      type: "DIRECT",
      directKey: directKeyOf(alice.id, bob.id),
      createdById: alice.id,
      // Both have been talking (the presence rule: only participants may be watched).
      memberships: {
        create: [
          { userId: alice.id, role: "OWNER", participatedAt: new Date() },
          { userId: bob.id, role: "OWNER", participatedAt: new Date() },
        ],
      },
    },
  });
  const group = await db.conversation.upsert({
    where: { id: DEMO_GROUP_ID },
    update: {},
    create: {
      id: DEMO_GROUP_ID,
      type: "GROUP",
      title: "Relay demo",
      createdById: admin.id,
      memberships: {
        create: [
          { userId: admin.id, role: "OWNER", participatedAt: new Date() },
          { userId: alice.id, role: "MEMBER" },
          { userId: bob.id, role: "MEMBER" },
          { userId: mod.id, role: "MEMBER" },
          { userId: sam.id, role: "MEMBER" },
        ],
      },
    },
  });
  // Databases seeded before the moderator and Sam existed: add them to the group.
  await db.membership.createMany({
    data: [mod, sam].map((u) => ({
      conversationId: group.id,
      userId: u.id,
      role: "MEMBER" as const,
    })),
    skipDuplicates: true,
  });
  return { users: { admin, alice, bob, mod, sam }, dm, group };
}
