import type { StoredMessage } from "@relay/messages/runtime";
import type { TMessage } from "@relay/shared/schemas";

/** The one mapping from a stored message to the contract's message shape (deleted bodies never leave the server). */
export function toMessage(m: StoredMessage): TMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    senderId: m.senderId,
    body: m.deleted ? "" : m.body,
    kind: m.kind,
    createdAt: m.createdAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    deleted: m.deleted,
    ...(m.clientMsgId ? { clientMsgId: m.clientMsgId } : {}),
  };
}
