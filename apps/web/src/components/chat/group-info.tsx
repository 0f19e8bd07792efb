"use client";

import { useState } from "react";
import type { TUserPublic } from "@relay/shared/schemas";
import { Avatar, Button, FormError } from "@relay/ui";
import type { TMe } from "@/client/me";
import { rest } from "@/client/rest";
import { formatLastSeen } from "./format";
import { PeopleSearch } from "./people-search";
import { useChatClient, useChatState } from "./use-chat";

const MUTE_OPTIONS: Array<[string, number | null]> = [
  ["1 hour", 3_600_000],
  ["8 hours", 8 * 3_600_000],
  ["1 week", 7 * 86_400_000],
];

export function GroupInfo({
  conversationId,
  me,
  onClose,
  onLeft,
}: {
  conversationId: string;
  me: TMe;
  onClose: () => void;
  onLeft: () => void;
}) {
  const client = useChatClient();
  const conv = useChatState((s) => s.conversations[conversationId]);
  const presence = useChatState((s) => s.presence);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!conv) return null;
  const myRole = conv.summary.members.find((m) => m.userId === me.id)?.role;
  const canManage = conv.summary.type === "group" && (myRole === "OWNER" || myRole === "ADMIN");
  const mutedUntil =
    conv.summary.mutedUntil && new Date(conv.summary.mutedUntil) > new Date()
      ? new Date(conv.summary.mutedUntil)
      : null;

  async function act(fn: () => Promise<unknown>) {
    setError(null);
    try {
      await fn();
      await client.refreshConversations();
    } catch (err) {
      setError(err instanceof Error ? err.message : "failed");
    }
  }

  return (
    <aside className="info" aria-label="Conversation info">
      <header className="info__header">
        <h2>{conv.summary.type === "group" ? "Group info" : "Info"}</h2>
        <Button variant="ghost" onClick={onClose} aria-label="Close info">
          ✕
        </Button>
      </header>
      <h3>Members ({conv.summary.members.length})</h3>
      <ul className="info__members" role="list">
        {conv.summary.members.map((m) => {
          const p = presence[m.userId];
          return (
            <li key={m.userId} className="info__member">
              <Avatar
                name={m.name}
                seed={m.userId}
                size={32}
                status={m.userId === me.id ? "online" : (p?.status ?? "offline")}
              />
              <span className="info__who">
                <strong>{m.userId === me.id ? `${m.name} (you)` : m.name}</strong>
                <span>
                  {m.role !== "MEMBER" ? `${m.role.toLowerCase()} · ` : ""}
                  {m.userId === me.id ? "online" : formatLastSeen(p)}
                </span>
              </span>
              {canManage && m.userId !== me.id ? (
                <Button
                  variant="ghost"
                  aria-label={`Remove ${m.name}`}
                  onClick={() => void act(() => rest.removeMember(conversationId, m.userId))}
                >
                  Remove
                </Button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {canManage ? (
        adding ? (
          <PeopleSearch
            exclude={conv.summary.members.map((m) => m.userId)}
            onPick={(u: TUserPublic) =>
              void act(() => rest.addMembers(conversationId, [u.id])).then(() => setAdding(false))
            }
          />
        ) : (
          <Button variant="secondary" onClick={() => setAdding(true)}>
            Add members
          </Button>
        )
      ) : null}
      <h3>Notifications</h3>
      <p className="info__muted">
        {mutedUntil ? `Muted until ${mutedUntil.toLocaleString()}` : "Not muted"}
      </p>
      <div className="info__row">
        {MUTE_OPTIONS.map(([label, ms]) => (
          <Button
            key={label}
            variant="secondary"
            onClick={() =>
              void act(() => rest.mute(conversationId, new Date(Date.now() + ms!).toISOString()))
            }
          >
            Mute {label}
          </Button>
        ))}
        {mutedUntil ? (
          <Button
            variant="secondary"
            onClick={() => void act(() => rest.mute(conversationId, null))}
          >
            Unmute
          </Button>
        ) : null}
      </div>
      {conv.summary.type === "group" ? (
        <Button
          variant="danger"
          onClick={() => {
            if (window.confirm("Leave this group?"))
              void act(() => rest.leave(conversationId)).then(onLeft);
          }}
        >
          Leave group
        </Button>
      ) : null}
      <FormError message={error} />
    </aside>
  );
}
