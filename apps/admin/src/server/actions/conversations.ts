"use server";
// Conversation actions of /conversations/[id] (and message deletion from
// there): the core use cases, which audit and tell the members live.
import {
  addGroupMember,
  deleteGroup,
  moderatorDeleteMessage,
  removeGroupMember,
  renameGroup,
  transferOwnership,
} from "@relay/core";
import {
  ZConversationActionRequestSchema,
  ZGroupMemberActionRequestSchema,
  ZModeratorDeleteMessageRequestSchema,
  ZRenameGroupRequestSchema,
} from "@relay/shared/schemas";
import { staffAction } from "../action";

const conversationPages = (input: { conversationId: string }) => [
  "/conversations",
  `/conversations/${input.conversationId}`,
];
/** A membership change shows on the member's page too. */
const memberPages = (input: { conversationId: string; userId: string }) => [
  ...conversationPages(input),
  `/users/${input.userId}`,
];

export const deleteMessageAction = staffAction(
  "MODERATOR",
  ZModeratorDeleteMessageRequestSchema,
  async (deps, ctx, input) => {
    const { seq } = await moderatorDeleteMessage(deps, ctx, input);
    return `Message #${seq} deleted for every member.`;
  },
  { revalidate: (input) => [...conversationPages(input), "/reports"] },
);

export const renameGroupAction = staffAction(
  "MODERATOR",
  ZRenameGroupRequestSchema,
  async (deps, ctx, input) => {
    await renameGroup(deps, ctx, input);
    return `Renamed to “${input.title}”.`;
  },
  { revalidate: conversationPages },
);

export const addMemberAction = staffAction(
  "MODERATOR",
  ZGroupMemberActionRequestSchema,
  async (deps, ctx, input) => {
    await addGroupMember(deps, ctx, input);
    return "Member added.";
  },
  { revalidate: memberPages },
);

export const removeMemberAction = staffAction(
  "MODERATOR",
  ZGroupMemberActionRequestSchema,
  async (deps, ctx, input) => {
    await removeGroupMember(deps, ctx, input);
    return "Member removed.";
  },
  { revalidate: memberPages },
);

export const transferOwnershipAction = staffAction(
  "MODERATOR",
  ZGroupMemberActionRequestSchema,
  async (deps, ctx, input) => {
    await transferOwnership(deps, ctx, input);
    return "Ownership transferred; the previous owners are admins of the group now.";
  },
  { revalidate: conversationPages },
);

export const deleteGroupAction = staffAction(
  "ADMIN",
  ZConversationActionRequestSchema,
  async (deps, ctx, input) => {
    await deleteGroup(deps, ctx, input);
    return "Group deleted; it disappeared for every member.";
  },
  { revalidate: conversationPages },
);
