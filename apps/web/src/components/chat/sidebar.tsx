"use client";

import { signOut } from "next-auth/react";
import { useMemo, useState } from "react";
import { Avatar, Badge, Button } from "@relay/ui";
import { sortedConversations, unreadOf } from "@/client/chat-state";
import type { TMe } from "@/client/me";
import { AccountDialog } from "./account-dialog";
import { conversationTitle, directPeer, formatListTime, presenceOf } from "./format";
import { NewConversationDialog } from "./new-conversation-dialog";
import { useChatClient, useChatState } from "./use-chat";

export function Sidebar({
  me,
  selected,
  onSelect,
}: {
  me: TMe;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const client = useChatClient();
  const state = useChatState((s) => s);
  const [filter, setFilter] = useState("");
  const [dialog, setDialog] = useState<"direct" | "group" | null>(null);
  const [account, setAccount] = useState(false);
  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return sortedConversations(state).filter(
      (c) => !q || conversationTitle(c, me.id).toLowerCase().includes(q),
    );
  }, [state, filter, me.id]);

  return (
    <aside className="sidebar" aria-label="Conversations">
      <header className="sidebar__header">
        <button
          type="button"
          className="sidebar__account"
          aria-haspopup="dialog"
          aria-label="Account"
          title="Account and sessions"
          onClick={() => setAccount(true)}
        >
          <Avatar name={me.name} seed={me.id} size={36} />
          <span className="sidebar__me">
            <strong>{me.name}</strong>
            <span>{me.email}</span>
          </span>
          <span className="sidebar__chevron" aria-hidden="true">
            ▾
          </span>
        </button>
        <Button
          variant="ghost"
          onClick={() => {
            // Sign-out ends the session on the server, which also ends this tab's
            // socket: stop first, so the tab leaves for /signin on its own terms.
            client.stop();
            void signOut({ redirectTo: "/signin" });
          }}
        >
          Sign out
        </Button>
      </header>
      <div className="sidebar__tools">
        <input
          className="sidebar__search"
          type="search"
          placeholder="Search conversations"
          aria-label="Search conversations"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <div className="sidebar__actions">
          <Button variant="secondary" onClick={() => setDialog("direct")}>
            New chat
          </Button>
          <Button variant="secondary" onClick={() => setDialog("group")}>
            New group
          </Button>
        </div>
      </div>
      <ul className="convlist" role="list">
        {rows.map((c) => {
          const title = conversationTitle(c, me.id);
          const peer = directPeer(c, me.id);
          const unread = unreadOf(state, c);
          const last = c.summary.lastMessage;
          const muted =
            c.summary.mutedUntil !== null && new Date(c.summary.mutedUntil) > new Date();
          return (
            <li key={c.summary.id}>
              <button
                type="button"
                className={`convlist__item${c.summary.id === selected ? " convlist__item--active" : ""}`}
                onClick={() => onSelect(c.summary.id)}
                aria-current={c.summary.id === selected ? "true" : undefined}
                data-testid="conversation-item"
              >
                <Avatar
                  name={title}
                  seed={peer?.userId ?? c.summary.id}
                  {...(peer ? { status: presenceOf(state, peer.userId) ?? "offline" } : {})}
                />
                <span className="convlist__text">
                  <span className="convlist__top">
                    <span className="convlist__title">{title}</span>
                    {last ? (
                      <time className="convlist__time">{formatListTime(last.createdAt)}</time>
                    ) : null}
                  </span>
                  <span className="convlist__bottom">
                    <span className="convlist__preview">
                      {last ? (
                        last.deleted ? (
                          "Message deleted"
                        ) : (
                          <>
                            {last.senderId === me.id ? "You: " : ""}
                            <bdi>{last.body}</bdi>
                          </>
                        )
                      ) : (
                        "No messages yet"
                      )}
                    </span>
                    {muted ? (
                      <span className="convlist__muted" aria-label="muted" title="Muted">
                        🔕
                      </span>
                    ) : null}
                    <Badge count={unread} />
                  </span>
                </span>
              </button>
            </li>
          );
        })}
        {rows.length === 0 ? (
          <li className="convlist__none">{filter ? "No match." : "No conversations yet."}</li>
        ) : null}
      </ul>
      {account ? <AccountDialog me={me} onClose={() => setAccount(false)} /> : null}
      {dialog ? (
        <NewConversationDialog
          kind={dialog}
          onClose={() => setDialog(null)}
          onCreated={(id) => {
            setDialog(null);
            onSelect(id);
          }}
        />
      ) : null}
    </aside>
  );
}
