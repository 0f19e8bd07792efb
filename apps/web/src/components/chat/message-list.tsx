"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { TMessage } from "@relay/shared/schemas";
import { Avatar, Button, FormError } from "@relay/ui";
import {
  deliveryMark,
  type TConversationState,
  type TDeliveryMark,
  type TPending,
} from "@/client/chat-state";
import { formatDay, formatTime } from "./format";
import { ReportDialog } from "./report-dialog";
import { useChatClient, useChatState } from "./use-chat";

type Row =
  | { key: string; kind: "day"; label: string }
  | { key: string; kind: "msg"; m: TMessage; first: boolean; mine: boolean }
  | { key: string; kind: "pending"; p: TPending };

const GROUP_GAP_MS = 5 * 60_000;

function buildRows(c: TConversationState, me: string): Row[] {
  const rows: Row[] = [];
  let prev: TMessage | undefined;
  let lastDay = "";
  for (const m of c.messages) {
    const day = new Date(m.createdAt).toDateString();
    if (day !== lastDay) {
      rows.push({ key: `day-${day}`, kind: "day", label: formatDay(m.createdAt) });
      lastDay = day;
      prev = undefined;
    }
    const first =
      !prev ||
      prev.senderId !== m.senderId ||
      new Date(m.createdAt).getTime() - new Date(prev.createdAt).getTime() > GROUP_GAP_MS;
    rows.push({ key: m.id, kind: "msg", m, first, mine: m.senderId === me });
    prev = m;
  }
  for (const p of c.pending) rows.push({ key: `p-${p.clientMsgId}`, kind: "pending", p });
  return rows;
}

const markLabel: Record<TDeliveryMark, string> = {
  pending: "Sending",
  failed: "Not sent",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
};
const markGlyph: Record<TDeliveryMark, string> = {
  pending: "🕓",
  failed: "!",
  sent: "✓",
  delivered: "✓✓",
  read: "✓✓",
};

function Mark({ mark }: { mark: TDeliveryMark }) {
  return (
    <span
      className={`msg__mark msg__mark--${mark}`}
      title={markLabel[mark]}
      aria-label={markLabel[mark]}
      data-testid="delivery-mark"
      data-mark={mark}
    >
      {markGlyph[mark]}
    </span>
  );
}

export function MessageList({
  conversationId,
  me,
  names,
}: {
  conversationId: string;
  me: string;
  names: Record<string, string>;
}) {
  const client = useChatClient();
  const conv = useChatState((s) => s.conversations[conversationId]);
  const state = useChatState((s) => s);
  const rows = useMemo(() => (conv ? buildRows(conv, me) : []), [conv, me]);
  const parentRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const loadingOlder = useRef(false);
  const prevTotal = useRef<number | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parentRef.current,
    estimateSize: (i) => (rows[i]?.kind === "day" ? 36 : 52),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 12,
  });

  // Keep the view pinned to the bottom for new messages, and steady when older pages are prepended.
  useLayoutEffect(() => {
    const el = parentRef.current;
    if (!el) return;
    const total = virtualizer.getTotalSize();
    if (prevTotal.current !== null && loadingOlder.current) {
      el.scrollTop += total - prevTotal.current;
      loadingOlder.current = false;
    } else if (atBottom.current && rows.length > 0) {
      virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
    }
    prevTotal.current = total;
  }, [rows, virtualizer]);

  useEffect(() => {
    if (conv?.loaded && atBottom.current && document.visibilityState === "visible")
      client.markRead(conversationId);
  }, [conv?.summary.lastSeq, conv?.loaded, client, conversationId]);

  function onScroll() {
    const el = parentRef.current;
    if (!el || !conv) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (atBottom.current) client.markRead(conversationId);
    if (el.scrollTop < 300 && conv.hasMoreBefore && !loadingOlder.current) {
      loadingOlder.current = true;
      prevTotal.current = virtualizer.getTotalSize();
      client.loadOlder(conversationId).catch(() => (loadingOlder.current = false));
    }
  }

  if (!conv) return null;
  return (
    <div
      ref={parentRef}
      className="msglist"
      onScroll={onScroll}
      role="log"
      aria-label="Conversation history"
      tabIndex={0}
      data-testid="message-list"
    >
      {conv.loaded && !conv.hasMoreBefore ? (
        <p className="msglist__start">This is the beginning of the conversation.</p>
      ) : null}
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="msglist__row"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {row.kind === "day" ? (
                <div className="msglist__day" role="separator">
                  <span>{row.label}</span>
                </div>
              ) : row.kind === "pending" ? (
                <div className="msg msg--mine msg--first" data-testid="message" data-pending="true">
                  <div className="msg__bubble">
                    <p className="msg__body">{row.p.body}</p>
                    <span className="msg__meta">
                      <Mark mark={row.p.state === "failed" ? "failed" : "pending"} />
                    </span>
                  </div>
                  {row.p.state === "failed" ? (
                    <div className="msg__failed">
                      Not sent.
                      <Button
                        variant="ghost"
                        onClick={() => client.retry(conversationId, row.p.clientMsgId)}
                      >
                        Retry
                      </Button>
                      <Button
                        variant="ghost"
                        onClick={() => client.discard(conversationId, row.p.clientMsgId)}
                      >
                        Discard
                      </Button>
                    </div>
                  ) : null}
                </div>
              ) : (
                <MessageRow
                  m={row.m}
                  first={row.first}
                  mine={row.mine}
                  senderName={names[row.m.senderId] ?? "Former member"}
                  mark={row.mine ? deliveryMark(state, conv, row.m) : null}
                  editing={editing === row.m.id}
                  onEdit={() => setEditing(row.m.id)}
                  onDoneEditing={() => setEditing(null)}
                  showSender={conv.summary.type === "group"}
                />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function MessageRow(props: {
  m: TMessage;
  first: boolean;
  mine: boolean;
  senderName: string;
  mark: TDeliveryMark | null;
  editing: boolean;
  onEdit: () => void;
  onDoneEditing: () => void;
  showSender: boolean;
}) {
  const { m, first, mine, senderName, mark, editing } = props;
  const client = useChatClient();
  const [draft, setDraft] = useState(m.body);
  const [error, setError] = useState<string | null>(null);
  const [reporting, setReporting] = useState(false);

  async function save() {
    const body = draft.trim();
    if (!body || body === m.body) return props.onDoneEditing();
    const err = await client.edit(m.conversationId, m.id, body);
    if (err) setError(err);
    else props.onDoneEditing();
  }

  return (
    <div
      className={`msg${mine ? " msg--mine" : ""}${first ? " msg--first" : ""}`}
      data-testid="message"
      data-seq={m.seq}
    >
      {!mine && first ? (
        <Avatar name={senderName} seed={m.senderId} size={28} />
      ) : (
        <span className="msg__spacer" />
      )}
      <div className="msg__bubble">
        {!mine && first && props.showSender ? (
          <span className="msg__sender">{senderName}</span>
        ) : null}
        {m.deleted ? (
          <p className="msg__body msg__body--deleted">Message deleted</p>
        ) : editing ? (
          <form
            className="msg__edit"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <label className="sr-only" htmlFor={`edit-${m.id}`}>
              Edit message
            </label>
            <textarea
              id={`edit-${m.id}`}
              value={draft}
              autoFocus
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape") props.onDoneEditing();
                if (e.key === "Enter" && !e.shiftKey) {
                  e.preventDefault();
                  void save();
                }
              }}
            />
            <FormError message={error} inline />
          </form>
        ) : (
          <p className="msg__body" dir="auto">
            {m.body}
          </p>
        )}
        <span className="msg__meta">
          {m.editedAt && !m.deleted ? <span className="msg__edited">edited</span> : null}
          <time dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>
          {mark ? <Mark mark={mark} /> : null}
        </span>
      </div>
      {mine && !m.deleted && !editing ? (
        <div className="msg__actions">
          <Button variant="ghost" aria-label="Edit message" onClick={props.onEdit}>
            Edit
          </Button>
          <Button
            variant="ghost"
            aria-label="Delete message"
            onClick={() => {
              if (window.confirm("Delete this message for everyone?"))
                void client.remove(m.conversationId, m.id);
            }}
          >
            Delete
          </Button>
        </div>
      ) : null}
      {!mine && !m.deleted ? (
        <div className="msg__actions">
          <Button variant="ghost" aria-label="Report message" onClick={() => setReporting(true)}>
            Report
          </Button>
        </div>
      ) : null}
      {reporting ? (
        <ReportDialog
          conversationId={m.conversationId}
          messageId={m.id}
          onClose={() => setReporting(false)}
        />
      ) : null}
    </div>
  );
}
