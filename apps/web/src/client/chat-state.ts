// The browser's chat state as pure functions (state, input) → state, so the
// rules (dedup by id, ordering by seq, optimistic sends, receipts, unread)
// are unit-tested without a browser. chat-store.ts wraps them for React.
import type {
  TConversationSummary,
  TMessage,
  TPresence,
  TReceiptEvent,
  TSyncConversationState,
} from "@relay/shared/schemas";

export type TConnection = "connecting" | "online" | "reconnecting" | "offline";

export interface TPending {
  clientMsgId: string;
  conversationId: string;
  body: string;
  createdAt: string;
  state: "sending" | "failed";
  attempts: number;
}

export interface TConversationState {
  summary: TConversationSummary;
  /** Ascending by seq, unique by id. */
  messages: TMessage[];
  /** Older history exists beyond messages[0]. */
  hasMoreBefore: boolean;
  /** The first history page has been loaded. */
  loaded: boolean;
  /**
   * Contiguous high-water mark: every seq up to here is in `messages` or is
   * known not to exist (a never-acknowledged seq, looked for once). Live
   * messages can arrive out of seq order (seqs are reserved before the
   * write), so the newest message held is not where a catch-up resumes.
   */
  contiguousSeq: number;
  pending: TPending[];
  readSeqs: Record<string, number>;
  deliveredSeqs: Record<string, number>;
  /** userId → typing until (epoch ms). */
  typing: Record<string, number>;
}

export interface TChatState {
  me: string | null;
  conversations: Record<string, TConversationState>;
  presence: Record<string, TPresence>;
  connection: TConnection;
  /** Latest server timestamp seen (createdAt/editedAt), the `since` of the next sync. */
  lastServerTime: string | null;
}

export const TYPING_TTL_MS = 6_000;

export const emptyState = (me: string | null = null): TChatState => ({
  me,
  conversations: {},
  presence: {},
  connection: "connecting",
  lastServerTime: null,
});

const later = (a: string | null, b: string | null) => (!a ? b : !b ? a : a > b ? a : b);

function newConversation(summary: TConversationSummary, me: string | null): TConversationState {
  const myRead = Math.max(0, summary.lastSeq - summary.unread);
  return {
    summary,
    messages: [],
    hasMoreBefore: summary.lastSeq > 0,
    loaded: false,
    contiguousSeq: 0,
    pending: [],
    readSeqs: me ? { [me]: myRead } : {},
    deliveredSeqs: {},
    typing: {},
  };
}

/** Merge messages into an ascending, id-unique list; a later version of a message replaces the earlier. */
export function mergeMessages(existing: TMessage[], incoming: TMessage[]): TMessage[] {
  if (incoming.length === 0) return existing;
  const byId = new Map(existing.map((m) => [m.id, m]));
  for (const m of incoming) {
    const prev = byId.get(m.id);
    // A delete is final, and a stale copy must not undo an edit.
    if (prev?.deleted) continue;
    if (!prev || m.deleted || (m.editedAt ?? "") >= (prev.editedAt ?? "")) byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

function updateConv(
  state: TChatState,
  id: string,
  fn: (c: TConversationState) => TConversationState,
): TChatState {
  const c = state.conversations[id];
  if (!c) return state;
  return { ...state, conversations: { ...state.conversations, [id]: fn(c) } };
}

export function applyConversationList(state: TChatState, list: TConversationSummary[]): TChatState {
  const conversations: Record<string, TConversationState> = {};
  for (const summary of list) {
    const prev = state.conversations[summary.id];
    if (!prev) {
      conversations[summary.id] = newConversation(summary, state.me);
      continue;
    }
    const lastSeq = Math.max(prev.summary.lastSeq, summary.lastSeq);
    const myRead = Math.max(
      state.me ? (prev.readSeqs[state.me] ?? 0) : 0,
      summary.lastSeq - summary.unread,
    );
    // Live messages newer than the list were counted as they came: keep that count.
    const newer = lastSeq > summary.lastSeq;
    conversations[summary.id] = {
      ...prev,
      summary: {
        ...summary,
        lastSeq,
        lastMessage: newer ? prev.summary.lastMessage : summary.lastMessage,
        unread: newer ? prev.summary.unread : summary.unread,
      },
      readSeqs: state.me ? { ...prev.readSeqs, [state.me]: myRead } : prev.readSeqs,
    };
  }
  return { ...state, conversations };
}

/**
 * A history page. `latest` and `after` pages cover a contiguous range of
 * seqs (what is not in them does not exist), so they move the contiguous
 * mark: `latest` up to its newest message, `after` (from `afterSeq`) up to
 * its newest — and, once `hasMore` is false, past every hole below it.
 */
export function applyHistory(
  state: TChatState,
  conversationId: string,
  page: { messages: TMessage[]; hasMore: boolean },
  direction: "before" | "after" | "latest",
  afterSeq = 0,
): TChatState {
  const lastTime = page.messages.reduce<string | null>(
    (t, m) => later(later(t, m.createdAt), m.editedAt),
    state.lastServerTime,
  );
  const next = updateConv(state, conversationId, (c) => {
    const top = page.messages.at(-1)?.seq ?? 0;
    const covers = direction === "latest" || (direction === "after" && afterSeq <= c.contiguousSeq);
    return advanceContiguous({
      ...c,
      messages: mergeMessages(c.messages, page.messages),
      hasMoreBefore: direction === "after" ? c.hasMoreBefore : page.hasMore,
      loaded: true,
      contiguousSeq: covers ? Math.max(c.contiguousSeq, top) : c.contiguousSeq,
    });
  });
  return { ...next, lastServerTime: lastTime };
}

/** Move the contiguous mark over the messages that directly follow it. */
function advanceContiguous(c: TConversationState): TConversationState {
  let mark = c.contiguousSeq;
  for (const m of c.messages) {
    if (m.seq <= mark) continue;
    if (m.seq !== mark + 1) break;
    mark = m.seq;
  }
  return mark === c.contiguousSeq ? c : { ...c, contiguousSeq: mark };
}

export function applyNewMessage(state: TChatState, m: TMessage): TChatState {
  const next = updateConv(state, m.conversationId, (c) => {
    const isNewest = m.seq >= c.summary.lastSeq;
    const mine = m.senderId === state.me;
    const myRead = state.me ? (c.readSeqs[state.me] ?? 0) : 0;
    // Unread counts messages (seqs have gaps). Only a new head counts: a
    // repeated delivery (at-least-once) carries a seq already seen. Sending
    // reads the conversation (the server moves my mark).
    const unread = mine
      ? 0
      : m.seq > c.summary.lastSeq && m.seq > myRead && !m.deleted
        ? c.summary.unread + 1
        : c.summary.unread;
    const withMessage = {
      ...c,
      messages: c.loaded ? mergeMessages(c.messages, [m]) : c.messages,
    };
    return {
      ...(c.loaded ? advanceContiguous(withMessage) : withMessage),
      pending: m.clientMsgId ? c.pending.filter((p) => p.clientMsgId !== m.clientMsgId) : c.pending,
      summary: isNewest
        ? { ...c.summary, lastSeq: m.seq, lastMessage: m, unread }
        : { ...c.summary, unread },
      // Your own message is read by you (the server agrees: it advances your mark on send).
      readSeqs:
        mine && state.me
          ? { ...c.readSeqs, [state.me]: Math.max(c.readSeqs[state.me] ?? 0, m.seq) }
          : c.readSeqs,
      typing: omit(c.typing, m.senderId),
    };
  });
  return { ...next, lastServerTime: later(next.lastServerTime, m.createdAt) };
}

export function applyUpdatedMessage(state: TChatState, m: TMessage): TChatState {
  const next = updateConv(state, m.conversationId, (c) => ({
    ...c,
    messages: c.messages.some((x) => x.id === m.id) ? mergeMessages(c.messages, [m]) : c.messages,
    summary: c.summary.lastMessage?.id === m.id ? { ...c.summary, lastMessage: m } : c.summary,
  }));
  return { ...next, lastServerTime: later(next.lastServerTime, m.editedAt) };
}

export function applyDeleted(
  state: TChatState,
  e: { conversationId: string; messageId: string },
): TChatState {
  const blank = (m: TMessage): TMessage => ({ ...m, deleted: true, body: "" });
  return updateConv(state, e.conversationId, (c) => ({
    ...c,
    messages: c.messages.map((m) => (m.id === e.messageId ? blank(m) : m)),
    summary:
      c.summary.lastMessage?.id === e.messageId
        ? { ...c.summary, lastMessage: blank(c.summary.lastMessage) }
        : c.summary,
  }));
}

export function applyReceipt(state: TChatState, r: TReceiptEvent): TChatState {
  return updateConv(state, r.conversationId, (c) => {
    const key = r.kind === "read" ? "readSeqs" : "deliveredSeqs";
    const marks = { ...c[key], [r.userId]: Math.max(c[key][r.userId] ?? 0, r.seq) };
    // read implies delivered
    const delivered =
      r.kind === "read"
        ? { ...c.deliveredSeqs, [r.userId]: Math.max(c.deliveredSeqs[r.userId] ?? 0, r.seq) }
        : marks;
    const mine = r.kind === "read" && r.userId === state.me;
    return {
      ...c,
      [key]: marks,
      deliveredSeqs: delivered,
      summary: mine ? { ...c.summary, unread: unreadAfterRead(state, c, r.seq) } : c.summary,
    };
  });
}

/** My unread after I read up to `seq` (on any device). */
function unreadAfterRead(state: TChatState, c: TConversationState, seq: number): number {
  if (seq >= c.summary.lastSeq) return 0;
  if (c.loaded && c.contiguousSeq >= seq)
    return c.messages.filter((m) => m.seq > seq && m.senderId !== state.me && !m.deleted).length;
  return Math.min(c.summary.unread, c.summary.lastSeq - seq);
}

export function applyTyping(
  state: TChatState,
  e: { conversationId: string; userId: string; typing: boolean },
  now = Date.now(),
): TChatState {
  return updateConv(state, e.conversationId, (c) => ({
    ...c,
    typing: e.typing ? { ...c.typing, [e.userId]: now + TYPING_TTL_MS } : omit(c.typing, e.userId),
  }));
}

export function applySync(
  state: TChatState,
  result: Record<string, TSyncConversationState>,
): TChatState {
  let next = state;
  for (const [id, s] of Object.entries(result)) {
    next = updateConv(next, id, (c) => ({
      ...c,
      summary: { ...c.summary, lastSeq: Math.max(c.summary.lastSeq, s.lastSeq), unread: s.unread },
      readSeqs: maxMarks(c.readSeqs, s.readSeqs),
      deliveredSeqs: maxMarks(c.deliveredSeqs, s.deliveredSeqs ?? {}),
      messages: mergeMessages(
        c.messages,
        s.changed.filter((m) => c.messages.some((x) => x.id === m.id)),
      ),
    }));
    for (const m of s.changed)
      next = { ...next, lastServerTime: later(next.lastServerTime, m.editedAt) };
  }
  return next;
}

export function addPending(state: TChatState, p: TPending): TChatState {
  return updateConv(state, p.conversationId, (c) => ({
    ...c,
    pending: [...c.pending.filter((x) => x.clientMsgId !== p.clientMsgId), p],
  }));
}

export function setPendingState(
  state: TChatState,
  conversationId: string,
  clientMsgId: string,
  patch: Partial<Pick<TPending, "state" | "attempts">>,
): TChatState {
  return updateConv(state, conversationId, (c) => ({
    ...c,
    pending: c.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, ...patch } : p)),
  }));
}

export function applyPresence(state: TChatState, p: TPresence): TChatState {
  return { ...state, presence: { ...state.presence, [p.userId]: p } };
}

/**
 * Whose presence to (un)watch: the other members of my conversations, at
 * most `max` at once. `watched` is what the server watches for this socket,
 * `refused` the ids it left out of an earlier `presence:watch` ack (you may
 * only watch people who participated in a conversation you share —
 * docs/presence.md); they are not asked again until they may have become
 * watchable (see ChatClient). People no longer in any of my conversations
 * are unwatched, which frees their slot.
 */
export function planPresenceWatch(
  state: TChatState,
  watched: ReadonlySet<string>,
  refused: ReadonlySet<string>,
  max: number,
): { watch: string[]; unwatch: string[] } {
  const wanted = new Set<string>();
  for (const c of Object.values(state.conversations))
    for (const m of c.summary.members) if (m.userId !== state.me) wanted.add(m.userId);
  const unwatch = [...watched].filter((id) => !wanted.has(id));
  const room = max - (watched.size - unwatch.length);
  const watch = [...wanted]
    .filter((id) => !watched.has(id) && !refused.has(id))
    .slice(0, Math.max(0, room));
  return { watch, unwatch };
}

export function setConnection(state: TChatState, connection: TConnection): TChatState {
  return state.connection === connection ? state : { ...state, connection };
}

// ---- selectors ----

/** Unread messages: the server's count (never a seq distance), kept current by live events. */
export function unreadOf(state: TChatState, c: TConversationState): number {
  const mine = state.me ? (c.readSeqs[state.me] ?? 0) : 0;
  return mine >= c.summary.lastSeq ? 0 : c.summary.unread;
}

/**
 * Where a catch-up resumes: the contiguous mark, not the newest message held
 * (a message that arrived ahead of a missing seq must not hide it). 0 for a
 * conversation whose history was never opened (it loads its latest page then).
 */
export function resumeSeq(c: TConversationState): number {
  return c.loaded ? c.contiguousSeq : 0;
}

/** A loaded conversation holds a message above a seq it has not seen: look once. */
export function hasHole(c: TConversationState): boolean {
  return c.loaded && (c.messages.at(-1)?.seq ?? 0) > c.contiguousSeq;
}

/** Conversations by latest activity (last message time, else by title). */
export function sortedConversations(state: TChatState): TConversationState[] {
  return Object.values(state.conversations).sort((a, b) => {
    const ta = a.summary.lastMessage?.createdAt ?? "";
    const tb = b.summary.lastMessage?.createdAt ?? "";
    return ta === tb
      ? (a.summary.title ?? "").localeCompare(b.summary.title ?? "")
      : ta < tb
        ? 1
        : -1;
  });
}

export type TDeliveryMark = "pending" | "failed" | "sent" | "delivered" | "read";

/** For your own message: read/delivered once every other member has reached its seq. */
export function deliveryMark(state: TChatState, c: TConversationState, m: TMessage): TDeliveryMark {
  const others = c.summary.members.filter((x) => x.userId !== state.me);
  if (others.length === 0) return "sent";
  if (others.every((o) => (c.readSeqs[o.userId] ?? 0) >= m.seq)) return "read";
  if (others.every((o) => (c.deliveredSeqs[o.userId] ?? 0) >= m.seq)) return "delivered";
  return "sent";
}

export function typingUsers(c: TConversationState, now = Date.now()): string[] {
  return Object.entries(c.typing)
    .filter(([, until]) => until > now)
    .map(([id]) => id);
}

function omit<T>(rec: Record<string, T>, key: string): Record<string, T> {
  if (!(key in rec)) return rec;
  const { [key]: _drop, ...rest } = rec;
  return rest;
}

function maxMarks(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}
