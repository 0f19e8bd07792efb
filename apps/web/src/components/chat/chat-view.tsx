"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { LIMITS } from "@relay/shared/limits";
import { Avatar, Button } from "@relay/ui";
import { typingUsers } from "@/client/chat-state";
import type { TMe } from "@/client/me";
import { conversationTitle, directPeer, formatLastSeen } from "./format";
import { GroupInfo } from "./group-info";
import { MessageList } from "./message-list";
import { useChatClient, useChatState } from "./use-chat";

export function ChatView({
  conversationId,
  me,
  onBack,
  onLeft,
}: {
  conversationId: string;
  me: TMe;
  onBack: () => void;
  onLeft: () => void;
}) {
  const client = useChatClient();
  const conv = useChatState((s) => s.conversations[conversationId]);
  const presence = useChatState((s) => s.presence);
  const [showInfo, setShowInfo] = useState(false);
  const [, tick] = useState(0);

  useEffect(() => {
    void client.loadLatest(conversationId);
  }, [client, conversationId]);
  // Typing indicators expire on their own; re-render every second while someone types.
  const typing = conv ? typingUsers(conv) : [];
  useEffect(() => {
    if (typing.length === 0) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [typing.length]);

  const names = useMemo(
    () =>
      Object.fromEntries(
        (conv?.summary.members ?? []).map((m) => [m.userId, m.userId === me.id ? "You" : m.name]),
      ),
    [conv?.summary.members, me.id],
  );
  if (!conv) return null;
  const title = conversationTitle(conv, me.id);
  const peer = directPeer(conv, me.id);
  const subtitle = peer
    ? formatLastSeen(
        presence[peer.userId] ?? { userId: peer.userId, status: "offline", lastSeenAt: null },
      )
    : `${conv.summary.members.length} members, ${conv.summary.members.filter((m) => m.userId === me.id || presence[m.userId]?.status === "online").length} online`;

  return (
    <section className="chatview" aria-label={`Conversation: ${title}`}>
      <header className="chatview__header">
        <Button
          variant="ghost"
          className="chatview__back"
          onClick={onBack}
          aria-label="Back to conversations"
        >
          ←
        </Button>
        <Avatar
          name={title}
          seed={peer?.userId ?? conv.summary.id}
          size={36}
          {...(peer ? { status: presence[peer.userId]?.status ?? "offline" } : {})}
        />
        <div className="chatview__title">
          <h1>{title}</h1>
          <span data-testid="chat-subtitle">{subtitle}</span>
        </div>
        <Button variant="ghost" onClick={() => setShowInfo((v) => !v)} aria-expanded={showInfo}>
          {conv.summary.type === "group" ? "Group info" : "Info"}
        </Button>
      </header>
      <div className="chatview__body">
        <div className="chatview__messages">
          <MessageList conversationId={conversationId} me={me.id} names={names} />
          <Announcer conversationId={conversationId} me={me.id} names={names} />
          <p className="typing" aria-live="polite" data-testid="typing">
            {typing.length === 0 ? (
              ""
            ) : typing.length === 1 ? (
              <>
                <bdi>{names[typing[0]!] ?? "Someone"}</bdi> is typing…
              </>
            ) : (
              `${typing.length} people are typing…`
            )}
          </p>
          <Composer conversationId={conversationId} />
        </div>
        {showInfo ? (
          <GroupInfo
            conversationId={conversationId}
            me={me}
            onClose={() => setShowInfo(false)}
            onLeft={onLeft}
          />
        ) : null}
      </div>
    </section>
  );
}

/** Screen readers hear incoming messages of the open conversation. */
function Announcer({
  conversationId,
  me,
  names,
}: {
  conversationId: string;
  me: string;
  names: Record<string, string>;
}) {
  const last = useChatState((s) => s.conversations[conversationId]?.messages.at(-1));
  const [text, setText] = useState("");
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (!last || last.id === seen.current) return;
    const first = seen.current === null;
    seen.current = last.id;
    if (!first && last.senderId !== me && !last.deleted)
      setText(`${names[last.senderId] ?? "Someone"}: ${last.body}`);
  }, [last, me, names]);
  return (
    <div className="sr-only" aria-live="polite" role="status">
      {text}
    </div>
  );
}

function Composer({ conversationId }: { conversationId: string }) {
  const client = useChatClient();
  const [body, setBody] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  const tooLong = body.length > LIMITS.bodyMaxChars;

  function submit() {
    const text = body.trim();
    if (!text || tooLong) return;
    client.send(conversationId, text);
    setBody("");
    ref.current?.focus();
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="composer-input" className="sr-only">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        className="composer__input"
        rows={1}
        placeholder="Write a message"
        value={body}
        autoFocus
        onChange={(e) => {
          setBody(e.target.value);
          if (e.target.value) client.typing(conversationId);
          else client.stopTyping(conversationId);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
        aria-invalid={tooLong || undefined}
        aria-describedby={tooLong ? "composer-error" : undefined}
      />
      {body.length > LIMITS.bodyMaxChars - 200 ? (
        <span
          id="composer-error"
          className={`composer__count${tooLong ? " composer__count--over" : ""}`}
        >
          {body.length}/{LIMITS.bodyMaxChars}
        </span>
      ) : null}
      <Button type="submit" disabled={!body.trim() || tooLong}>
        Send
      </Button>
    </form>
  );
}
