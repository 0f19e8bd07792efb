// Membership checks of the message path (send, history, edit, delete,
// receipts, typing): the cached member list, not a Postgres query per event.
import { AppError } from "@relay/shared/errors";
import { orUnavailable } from "../errors";
import type { MembershipReader, TConversationMembers } from "./membership";

/**
 * The members of a conversation the caller belongs to. Non-members and unknown
 * conversations get the same FORBIDDEN, so ids cannot be probed.
 */
export async function requireMember(
  membership: Pick<MembershipReader, "get">,
  conversationId: string,
  userId: string,
): Promise<TConversationMembers> {
  const conv = await orUnavailable("membership", () => membership.get(conversationId));
  if (!conv || !isMember(conv, userId)) {
    throw new AppError("FORBIDDEN", "not a member of this conversation");
  }
  return conv;
}

export function isMember(conv: TConversationMembers, userId: string): boolean {
  return conv.members.some((m) => m.userId === userId);
}
