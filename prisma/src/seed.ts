// The demo seed used by `npm start`: one admin, two users, a DM between the
// users and a group with all three. Idempotent: running it again changes nothing.
// Demo credentials are documented in README.md; they exist only in dev data.
import type { PrismaClient } from "./generated/client";
import { hashPassword } from "./passwords";

export const DEMO_PASSWORD = "relay-demo-1";
export const DEMO_USERS = [
  { email: "admin@relay.local", name: "Ada Admin", role: "ADMIN" as const },
  { email: "alice@relay.local", name: "Alice Example", role: "USER" as const },
  { email: "bob@relay.local", name: "Bob Example", role: "USER" as const },
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
  const [admin, alice, bob] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
  const dm = await db.conversation.upsert({
    where: { directKey: directKeyOf(alice.id, bob.id) },
    update: {},
    create: {
      type: "DIRECT",
      directKey: directKeyOf(alice.id, bob.id),
      createdById: alice.id,
      memberships: {
        create: [
          { userId: alice.id, role: "OWNER" },
          { userId: bob.id, role: "OWNER" },
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
          { userId: admin.id, role: "OWNER" },
          { userId: alice.id, role: "MEMBER" },
          { userId: bob.id, role: "MEMBER" },
        ],
      },
    },
  });
  return { users: { admin, alice, bob }, dm, group };
}
