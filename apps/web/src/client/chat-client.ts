// The browser's connection to Relay: REST for conversations, one Socket.IO
// connection per tab for everything live. Owns reconnect + catch-up (sync and
// history by seq), optimistic sends with retries under the same clientMsgId,
// receipts, typing and presence watching. All state goes through ChatStore.
import { io, type Socket } from "socket.io-client";
import type { TAck } from "@relay/shared/errors";
import type { ClientToServerEvents, ServerToClientEvents } from "@relay/shared/events";
import { LIMITS, PROTOCOL_VERSION } from "@relay/shared/limits";
import type {
  TConversationSummary,
  TMessage,
  TMessageHistoryResult,
  TMessageSendResult,
  TPresence,
  TSyncResult,
} from "@relay/shared/schemas";
import * as S from "./chat-state";
import { ChatStore } from "./chat-store";
import { RestError } from "./rest";

type RelaySocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Loose = {
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<TAck<unknown>> };
  emit(event: string, payload: unknown): void;
};

export interface ChatClientOptions {
  me: string;
  /** GET /api/v1/auth/realtime-token (session cookie). */
  fetchRealtimeToken: () => Promise<{ token: string; url: string; expiresAt?: string }>;
  /** GET /api/v1/conversations (session cookie). */
  fetchConversations: () => Promise<TConversationSummary[]>;
}

/** Why the REST API refused this session, when it did (401/403 from the token route). */
function revokedReasonOf(err: unknown): "banned" | "suspended" | "logged_out" | null {
  if (!(err instanceof RestError)) return null;
  if (err.status === 403) return /banned/.test(err.message) ? "banned" : "suspended";
  if (err.status === 401) return "logged_out";
  return null;
}

const ACK_TIMEOUT_MS = 10_000;
const SEND_ATTEMPTS = 6;
const TYPING_IDLE_MS = 4_000;
/** Pages fetched while catching up after a reconnect, at most (× LIMITS.historyPageMax messages). */
const CATCH_UP_PAGES = 50;
/** How long a hole below a live message may stay before we look for it (its send may still be landing). */
const HOLE_WAIT_MS = 1_500;

export class ChatClient {
  readonly store: ChatStore;
  #socket: RelaySocket | null = null;
  /** Resolves once the socket exists: calls made before that (e.g. a conversation opened from the URL) wait for it. */
  readonly #socketReady: Promise<RelaySocket>;
  #resolveSocket!: (s: RelaySocket) => void;
  #everConnected = false;
  #stopped = false;
  #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #typingSentAt = new Map<string, number>();
  /** Users whose presence this socket watches (or has asked to). */
  #watched = new Set<string>();
  /** Users the server refused to let us watch; asked again once they may have become watchable. */
  #refused = new Set<string>();
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #holeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #catchingUp: Promise<void> | undefined;
  #catchUpAgain = false;
  readonly #opts: ChatClientOptions;

  constructor(opts: ChatClientOptions) {
    this.#opts = opts;
    this.store = new ChatStore(opts.me);
    this.#socketReady = new Promise((resolve) => (this.#resolveSocket = resolve));
  }

  async start(): Promise<void> {
    await this.refreshConversations();
    const { token, url, expiresAt } = await this.#opts.fetchRealtimeToken();
    const socket: RelaySocket = io(url, {
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      transports: ["websocket"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.#socket = socket;
    this.#resolveSocket(socket);
    this.#scheduleRefresh(expiresAt);
    socket.on("connect", () => {
      this.store.update((s) => S.setConnection(s, "online"));
      void this.#afterConnect(this.#everConnected);
      this.#everConnected = true;
    });
    socket.on("disconnect", () =>
      this.store.update((s) => S.setConnection(s, this.#stopped ? "offline" : "reconnecting")),
    );
    socket.on("connect_error", (err: Error & { data?: TAck<unknown> }) => {
      this.store.update((s) =>
        S.setConnection(s, this.#everConnected ? "reconnecting" : "connecting"),
      );
      // Expired access token: fetch a fresh one and let Socket.IO retry with it.
      if (err.data && !err.data.ok && err.data.error.code === "UNAUTHORIZED") {
        this.#opts.fetchRealtimeToken().then(
          (t) => {
            socket.auth = { token: t.token, protocolVersion: PROTOCOL_VERSION };
            this.#scheduleRefresh(t.expiresAt);
            socket.connect();
          },
          (refused: unknown) => {
            // No new token: the session itself is over (banned, suspended, logged out).
            const reason = revokedReasonOf(refused);
            if (!reason) return;
            this.stop();
            window.location.assign(`/signin?revoked=${reason}`);
          },
        );
      }
      // Too many handshakes from this address (a shared NAT after a node
      // restart): Socket.IO does not retry a refused handshake; retry later, spread out.
      if (err.data && !err.data.ok && err.data.error.code === "RATE_LIMITED")
        setTimeout(
          () => {
            if (!this.#stopped) socket.connect();
          },
          2_000 + Math.random() * 8_000,
        );
    });
    socket.on("message:new", (m) => {
      this.store.update((s) => S.applyNewMessage(s, m));
      const c = this.store.get().conversations[m.conversationId];
      if (c && S.hasHole(c)) this.#fillHoleSoon(m.conversationId);
      // Sending made them a participant: now we may watch them.
      if (this.#refused.delete(m.senderId)) this.#watchMembers();
      if (m.senderId !== this.#opts.me)
        void this.#ack("receipt:delivered", { conversationId: m.conversationId, seq: m.seq });
      if (!this.store.get().conversations[m.conversationId]) void this.refreshConversations();
    });
    socket.on("message:updated", (m) => this.store.update((s) => S.applyUpdatedMessage(s, m)));
    socket.on("message:deleted", (e) => this.store.update((s) => S.applyDeleted(s, e)));
    socket.on("receipt", (r) => this.store.update((s) => S.applyReceipt(s, r)));
    socket.on("typing", (t) => this.store.update((s) => S.applyTyping(s, t)));
    socket.on("presence", (p) => this.store.update((s) => S.applyPresence(s, p)));
    socket.on("conversation:updated", () => void this.refreshConversations());
    // The node lost its link to the others for a moment: what they sent
    // meanwhile never reached this socket. Catch up as after a reconnect.
    socket.on("sync:required", () => void this.#catchUp(true));
    // A moderator suspended, banned or logged this user out (on any node):
    // leave now; the sign-in page says why.
    socket.on("session:revoked", ({ reason }) => {
      this.stop();
      window.location.assign(`/signin?revoked=${encodeURIComponent(reason)}`);
    });
    if (typeof window !== "undefined") {
      window.addEventListener("online", this.#onOnline);
      document.addEventListener("visibilitychange", this.#onVisibility);
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#refreshTimer);
    for (const t of this.#holeTimers.values()) clearTimeout(t);
    this.#holeTimers.clear();
    this.#socket?.close();
    if (typeof window !== "undefined") {
      window.removeEventListener("online", this.#onOnline);
      document.removeEventListener("visibilitychange", this.#onVisibility);
    }
  }

  /**
   * The server ends a socket when its access token expires; a fresh token is
   * fetched at 80% of the token's life and handed to the live socket
   * (`auth:refresh`) and to the next reconnect, so a person who keeps the tab
   * open never sees an interruption.
   */
  #scheduleRefresh(expiresAt: string | undefined): void {
    clearTimeout(this.#refreshTimer);
    if (!expiresAt || this.#stopped) return;
    const left = Date.parse(expiresAt) - Date.now();
    this.#refreshTimer = setTimeout(() => void this.#refreshToken(), Math.max(1_000, left * 0.8));
  }

  async #refreshToken(): Promise<void> {
    let next: { token: string; expiresAt?: string };
    try {
      next = await this.#opts.fetchRealtimeToken();
    } catch (err) {
      const reason = revokedReasonOf(err);
      if (reason) {
        this.stop();
        window.location.assign(`/signin?revoked=${reason}`);
        return;
      }
      this.#refreshTimer = setTimeout(() => void this.#refreshToken(), 5_000); // offline: try again
      return;
    }
    const socket = this.#socket;
    if (!socket) return;
    socket.auth = { token: next.token, protocolVersion: PROTOCOL_VERSION };
    if (socket.connected) await this.#ack("auth:refresh", { token: next.token });
    this.#scheduleRefresh(next.expiresAt);
  }

  #onOnline = () => {
    if (this.#socket && !this.#socket.connected) this.#socket.connect();
  };

  #onVisibility = () => {
    void this.#ack("presence:set", {
      status: document.visibilityState === "hidden" ? "away" : "online",
    });
  };

  async refreshConversations(): Promise<void> {
    const list = await this.#opts.fetchConversations();
    this.store.update((s) => S.applyConversationList(s, list));
    // A conversation someone created with me makes them watchable: ask again.
    this.#refused.clear();
    this.#watchMembers();
  }

  /**
   * After every (re)connect: read marks and heads for every conversation
   * (sync), then — after a reconnect — the messages missed meanwhile, and
   * resend what is still pending.
   */
  async #afterConnect(isReconnect: boolean): Promise<void> {
    this.#watched.clear();
    this.#refused.clear();
    this.#watchMembers();
    await this.#catchUp(isReconnect);
    for (const c of Object.values(this.store.get().conversations)) {
      for (const p of c.pending)
        if (p.state === "sending") void this.#deliver(p.conversationId, p.clientMsgId, p.body);
    }
  }

  /**
   * The catch-up of docs/protocol.md: sync from each conversation's
   * contiguous mark, then page what is missing. One at a time; a request
   * while one runs (sync:required during a reconnect) runs once more after.
   */
  #catchUp(refreshList: boolean): Promise<void> {
    if (this.#catchingUp) {
      this.#catchUpAgain = true;
      return this.#catchingUp;
    }
    this.#catchingUp = (async () => {
      try {
        do {
          this.#catchUpAgain = false;
          await this.#catchUpOnce(refreshList);
        } while (this.#catchUpAgain && !this.#stopped);
      } finally {
        this.#catchingUp = undefined;
      }
    })();
    return this.#catchingUp;
  }

  async #catchUpOnce(refreshList: boolean): Promise<void> {
    if (refreshList) await this.refreshConversations().catch(() => undefined);
    const state = this.store.get();
    const known = Object.fromEntries(
      Object.values(state.conversations).map((c) => [c.summary.id, S.resumeSeq(c)]),
    );
    const res = await this.#ack<TSyncResult>("sync", {
      conversations: known,
      ...(state.lastServerTime ? { since: state.lastServerTime } : {}),
    });
    if (res?.ok) {
      this.store.update((s) => S.applySync(s, res.data));
      await Promise.all(
        Object.entries(res.data).map(async ([id, st]) => {
          const c = this.store.get().conversations[id];
          if (c?.loaded && st.lastSeq > (known[id] ?? 0))
            await this.#fetchAfter(id, known[id] ?? 0);
        }),
      );
    }
  }

  /**
   * A live message arrived above a seq we have not seen: it may still come
   * (its send is being written) or never (never acknowledged). Wait a
   * moment, then look once; the page moves the mark past what is not there.
   */
  #fillHoleSoon(conversationId: string): void {
    if (this.#holeTimers.has(conversationId)) return;
    this.#holeTimers.set(
      conversationId,
      setTimeout(() => {
        this.#holeTimers.delete(conversationId);
        const c = this.store.get().conversations[conversationId];
        if (c && S.hasHole(c) && !this.#stopped)
          void this.#fetchAfter(conversationId, c.contiguousSeq);
      }, HOLE_WAIT_MS),
    );
  }

  async #fetchAfter(conversationId: string, afterSeq: number): Promise<void> {
    let cursor = afterSeq;
    for (let i = 0; i < CATCH_UP_PAGES; i++) {
      const res = await this.#ack<TMessageHistoryResult>("message:history", {
        conversationId,
        afterSeq: cursor,
        limit: LIMITS.historyPageMax,
      });
      if (!res?.ok) return;
      const from = cursor;
      this.store.update((s) => S.applyHistory(s, conversationId, res.data, "after", from));
      const last = res.data.messages.at(-1);
      if (!res.data.hasMore || !last) return;
      cursor = last.seq;
    }
  }

  async loadLatest(conversationId: string): Promise<void> {
    const res = await this.#ack<TMessageHistoryResult>("message:history", {
      conversationId,
      limit: LIMITS.historyPageDefault,
    });
    if (res?.ok) this.store.update((s) => S.applyHistory(s, conversationId, res.data, "latest"));
  }

  async loadOlder(conversationId: string): Promise<void> {
    const c = this.store.get().conversations[conversationId];
    const oldest = c?.messages[0]?.seq;
    if (!c || !c.hasMoreBefore || oldest === undefined) return;
    const res = await this.#ack<TMessageHistoryResult>("message:history", {
      conversationId,
      beforeSeq: oldest,
      limit: LIMITS.historyPageDefault,
    });
    if (res?.ok) this.store.update((s) => S.applyHistory(s, conversationId, res.data, "before"));
  }

  /** Optimistic send: shows at once as pending, retried with the same clientMsgId until acked. */
  send(conversationId: string, body: string): void {
    const clientMsgId = crypto.randomUUID();
    this.store.update((s) =>
      S.addPending(s, {
        clientMsgId,
        conversationId,
        body,
        createdAt: new Date().toISOString(),
        state: "sending",
        attempts: 0,
      }),
    );
    this.stopTyping(conversationId);
    void this.#deliver(conversationId, clientMsgId, body);
  }

  /** Retry a failed send by hand (same clientMsgId: never a duplicate). */
  retry(conversationId: string, clientMsgId: string): void {
    const p = this.store
      .get()
      .conversations[conversationId]?.pending.find((x) => x.clientMsgId === clientMsgId);
    if (!p) return;
    this.store.update((s) =>
      S.setPendingState(s, conversationId, clientMsgId, { state: "sending", attempts: 0 }),
    );
    void this.#deliver(conversationId, clientMsgId, p.body);
  }

  discard(conversationId: string, clientMsgId: string): void {
    this.store.update((s) => {
      const c = s.conversations[conversationId];
      if (!c) return s;
      return {
        ...s,
        conversations: {
          ...s.conversations,
          [conversationId]: {
            ...c,
            pending: c.pending.filter((p) => p.clientMsgId !== clientMsgId),
          },
        },
      };
    });
  }

  async #deliver(conversationId: string, clientMsgId: string, body: string): Promise<void> {
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      const pending = this.store
        .get()
        .conversations[conversationId]?.pending.find((p) => p.clientMsgId === clientMsgId);
      if (!pending) return; // confirmed by message:new meanwhile
      this.store.update((s) =>
        S.setPendingState(s, conversationId, clientMsgId, { attempts: attempt }),
      );
      if (!this.#socket?.connected) return; // resent after reconnect
      const res = await this.#ack<TMessageSendResult>("message:send", {
        conversationId,
        clientMsgId,
        body,
      });
      if (res?.ok) return; // message:new (which we also receive) replaces the pending entry
      if (res && !res.ok && !["UNAVAILABLE", "RATE_LIMITED", "INTERNAL"].includes(res.error.code))
        break;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 8_000)));
    }
    this.store.update((s) =>
      S.setPendingState(s, conversationId, clientMsgId, { state: "failed" }),
    );
  }

  async edit(conversationId: string, messageId: string, body: string): Promise<string | null> {
    const res = await this.#ack<TMessage>("message:edit", { conversationId, messageId, body });
    if (res?.ok) this.store.update((s) => S.applyUpdatedMessage(s, res.data));
    return res?.ok ? null : (res?.error.message ?? "no answer from the server");
  }

  async remove(conversationId: string, messageId: string): Promise<string | null> {
    const res = await this.#ack("message:delete", { conversationId, messageId });
    if (res?.ok) this.store.update((s) => S.applyDeleted(s, { conversationId, messageId }));
    return res?.ok ? null : (res?.error.message ?? "no answer from the server");
  }

  /** Mark everything up to the head as read (no-op when already read). */
  markRead(conversationId: string): void {
    const s = this.store.get();
    const c = s.conversations[conversationId];
    if (!c || S.unreadOf(s, c) === 0) return;
    void this.#ack("receipt:read", { conversationId, seq: c.summary.lastSeq });
  }

  /** Call on every keystroke; sends typing:start at most every 2 s and typing:stop when idle. */
  typing(conversationId: string): void {
    const now = Date.now();
    if (now - (this.#typingSentAt.get(conversationId) ?? 0) > LIMITS.typingThrottleMs) {
      this.#typingSentAt.set(conversationId, now);
      this.#socket?.emit("typing:start", { conversationId });
    }
    clearTimeout(this.#typingTimers.get(conversationId));
    this.#typingTimers.set(
      conversationId,
      setTimeout(() => this.stopTyping(conversationId), TYPING_IDLE_MS),
    );
  }

  stopTyping(conversationId: string): void {
    clearTimeout(this.#typingTimers.get(conversationId));
    this.#typingTimers.delete(conversationId);
    if (this.#typingSentAt.delete(conversationId))
      this.#socket?.emit("typing:stop", { conversationId });
  }

  /**
   * Watch the presence of the people I share a conversation with (at most
   * LIMITS.watchMax), unwatch those I no longer do. The server leaves out of
   * its ack the ids I may not watch (they never participated in a
   * conversation we share); those wait in #refused until they send a
   * message or the conversation list changes.
   */
  #watchMembers(): void {
    if (!this.#socket?.connected) return;
    const plan = S.planPresenceWatch(
      this.store.get(),
      this.#watched,
      this.#refused,
      LIMITS.watchMax,
    );
    if (plan.unwatch.length > 0) {
      for (const id of plan.unwatch) this.#watched.delete(id);
      void this.#ack("presence:unwatch", { userIds: plan.unwatch });
    }
    const fresh = plan.watch;
    if (fresh.length === 0) return;
    for (const id of fresh) this.#watched.add(id);
    void this.#ack<TPresence[]>("presence:watch", { userIds: fresh }).then((res) => {
      if (!res?.ok) {
        for (const id of fresh) this.#watched.delete(id); // retried on the next change
        return;
      }
      const got = new Set(res.data.map((p) => p.userId));
      for (const id of fresh)
        if (!got.has(id)) {
          this.#watched.delete(id);
          this.#refused.add(id);
        }
      this.store.update((s) => res.data.reduce(S.applyPresence, s));
    });
  }

  async #ack<T = unknown>(event: string, payload: unknown): Promise<TAck<T> | null> {
    const socket = (this.#socket ?? (await this.#socketReady)) as unknown as Loose;
    try {
      return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as TAck<T>;
    } catch {
      return null; // timeout or disconnected
    }
  }
}
