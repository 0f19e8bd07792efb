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
import { formFields, runStaffAction } from "../action";
import type { TActionState } from "../action-state";

const conversationPages = (input: { conversationId: string }) => [
  "/conversations",
  `/conversations/${input.conversationId}`,
];

export async function deleteMessageAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    schema: ZModeratorDeleteMessageRequestSchema,
    input: formFields(form, ["conversationId", "messageId", "reason"]),
    run: async (deps, staff, input) => {
      const { seq } = await moderatorDeleteMessage(deps, staff.ctx, input);
      return `Message #${seq} deleted for every member.`;
    },
    revalidate: (input) => [...conversationPages(input), "/reports"],
  });
}

export async function renameGroupAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    schema: ZRenameGroupRequestSchema,
    input: formFields(form, ["conversationId", "title", "reason"]),
    run: async (deps, staff, input) => {
      await renameGroup(deps, staff.ctx, input);
      return `Renamed to “${input.title}”.`;
    },
    revalidate: conversationPages,
  });
}

export async function addMemberAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    schema: ZGroupMemberActionRequestSchema,
    input: formFields(form, ["conversationId", "userId", "reason"]),
    run: async (deps, staff, input) => {
      await addGroupMember(deps, staff.ctx, input);
      return "Member added.";
    },
    revalidate: (input) => [...conversationPages(input), `/users/${input.userId}`],
  });
}

export async function removeMemberAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    schema: ZGroupMemberActionRequestSchema,
    input: formFields(form, ["conversationId", "userId", "reason"]),
    run: async (deps, staff, input) => {
      await removeGroupMember(deps, staff.ctx, input);
      return "Member removed.";
    },
    revalidate: (input) => [...conversationPages(input), `/users/${input.userId}`],
  });
}

export async function transferOwnershipAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "MODERATOR",
    schema: ZGroupMemberActionRequestSchema,
    input: formFields(form, ["conversationId", "userId", "reason"]),
    run: async (deps, staff, input) => {
      await transferOwnership(deps, staff.ctx, input);
      return "Ownership transferred; the previous owners are admins of the group now.";
    },
    revalidate: conversationPages,
  });
}

export async function deleteGroupAction(_prev: TActionState, form: FormData) {
  return runStaffAction({
    min: "ADMIN",
    schema: ZConversationActionRequestSchema,
    input: formFields(form, ["conversationId", "reason"]),
    run: async (deps, staff, input) => {
      await deleteGroup(deps, staff.ctx, input);
      return "Group deleted; it disappeared for every member.";
    },
    revalidate: conversationPages,
  });
}
