// Typing indicators: members only, volatile (dropped rather than queued when a
// socket is busy), `typing:start` throttled per connection and conversation.
// No ack: failures are logged, never answered.
import { isMember } from "../conversations/access";
import type { CoreDeps, TActor } from "../deps";

export async function relayTyping(
  deps: Pick<CoreDeps, "membership" | "limits" | "events" | "logger">,
  input: {
    actor: TActor;
    conversationId: string;
    typing: boolean;
    /** The throttle's scope: one connection (socket id). */
    connectionId: string;
  },
): Promise<void> {
  const { actor, conversationId, typing } = input;
  const throttleKey = `${input.connectionId}:${conversationId}`;
  try {
    if (typing) {
      if (!(await deps.limits.take("typing", throttleKey))) return;
    } else {
      await deps.limits.reset("typing", throttleKey);
    }
    const conv = await deps.membership.get(conversationId);
    if (!conv || !isMember(conv, actor.userId)) return;
    deps.events.toMembers(
      conv,
      "typing",
      { conversationId, userId: actor.userId, typing },
      { volatile: true, exceptUserId: actor.userId },
    );
  } catch (err) {
    deps.logger.warn({ err, conversationId }, "typing: not relayed");
  }
}
