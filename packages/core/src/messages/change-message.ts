// message:edit and message:delete: the sender changes their own messages; a
// user with role ADMIN who is a member may change anyone's. Members see the
// change live (`message:updated` / `message:deleted`); returning clients see
// it in `sync` (the repository keeps a change log).
import type { StoredMessage } from "@relay/messages/runtime";
import { AppError } from "@relay/shared/errors";
import type {
  TMessage,
  TMessageDeletedEvent,
  TMessageDeletePayload,
  TMessageEditPayload,
} from "@relay/shared/schemas";
import { requireMember } from "../conversations/access";
import type { CoreDeps, TActor } from "../deps";
import { orUnavailable } from "../errors";
import { toMessage } from "./wire";

export type ChangeMessageDeps = Pick<CoreDeps, "membership" | "messages" | "events">;

async function findChangeable(
  deps: ChangeMessageDeps,
  actor: TActor,
  conversationId: string,
  messageId: string,
): Promise<StoredMessage> {
  const found = await orUnavailable("message store", () =>
    deps.messages.findById(conversationId, messageId),
  );
  if (!found || found.deleted) throw new AppError("NOT_FOUND", "no such message");
  if (found.senderId !== actor.userId && actor.role !== "ADMIN") {
    throw new AppError("FORBIDDEN", "only the sender or an admin can change this message");
  }
  return found;
}

/** Replaces the body; returns the edited message. */
export async function editMessage(
  deps: ChangeMessageDeps,
  input: { actor: TActor } & TMessageEditPayload,
): Promise<TMessage> {
  const { actor, conversationId, messageId } = input;
  const members = await requireMember(deps.membership, conversationId, actor.userId);
  await findChangeable(deps, actor, conversationId, messageId);
  const updated = await orUnavailable("message store", () =>
    deps.messages.edit(conversationId, messageId, input.body, new Date()),
  );
  if (!updated) throw new AppError("NOT_FOUND", "no such message");
  const message = toMessage(updated);
  deps.events.toMembers(members, "message:updated", message);
  return message;
}

/** Soft delete (the body is cleared in storage); returns the `message:deleted` event. */
export async function deleteMessage(
  deps: ChangeMessageDeps,
  input: { actor: TActor } & TMessageDeletePayload,
): Promise<TMessageDeletedEvent> {
  const { actor, conversationId, messageId } = input;
  const members = await requireMember(deps.membership, conversationId, actor.userId);
  const found = await findChangeable(deps, actor, conversationId, messageId);
  await orUnavailable("message store", () =>
    deps.messages.markDeleted(conversationId, messageId, new Date()),
  );
  const event: TMessageDeletedEvent = { conversationId, messageId: found.id, seq: found.seq };
  deps.events.toMembers(members, "message:deleted", event);
  return event;
}
