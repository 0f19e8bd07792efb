import type { MembershipReader, TConversationMembers } from "@relay/core/membership";
import { AppError } from "@relay/shared/errors";
import { orUnavailable } from "./unavailable";

/**
 * The members of a conversation the caller belongs to. Non-members and unknown
 * conversations get the same FORBIDDEN, so ids cannot be probed.
 */
export async function requireMember(
  membership: MembershipReader,
  conversationId: string,
  userId: string,
): Promise<TConversationMembers> {
  const conv = await orUnavailable("membership", () => membership.get(conversationId));
  if (!conv || !conv.members.some((m) => m.userId === userId)) {
    throw new AppError("FORBIDDEN", "not a member of this conversation");
  }
  return conv;
}
