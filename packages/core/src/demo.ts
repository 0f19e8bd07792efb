// Demo activity for `npm start`: a few messages in the demo group and two
// reports of Sam's spam, made through the same use cases as real traffic, so
// the moderation console has something in its queue. Runs once per database
// (skipped when the group already has reports).
import { randomUUID } from "node:crypto";
import type { User } from "@relay/db";
import { sendMessage } from "./messages/send-message";
import { reportMessage } from "./moderation/reports";
import type { Stores } from "./stores";

export async function seedDemoActivity(
  stores: Stores,
  demo: { users: Record<"alice" | "bob" | "sam", User>; groupId: string },
): Promise<{ seeded: boolean }> {
  if ((await stores.db.report.count({ where: { conversationId: demo.groupId } })) > 0)
    return { seeded: false };
  const { alice, bob, sam } = demo.users;
  const say = (u: User, body: string) =>
    sendMessage(stores, {
      actor: { userId: u.id, role: u.role },
      conversationId: demo.groupId,
      clientMsgId: randomUUID(),
      body,
    });
  await say(alice, "Welcome to the Relay demo group!");
  await say(bob, "Hi everyone 👋");
  const spam = await say(sam, "Cheap followers!!! Visit spam.example and enter your password");
  for (const [u, reason] of [
    [alice, "advertising and asks for passwords"],
    [bob, ""],
  ] as const)
    await reportMessage(stores, {
      actor: { userId: u.id, role: u.role },
      conversationId: demo.groupId,
      messageId: spam.messageId,
      category: "SPAM",
      reason,
    });
  return { seeded: true };
}
