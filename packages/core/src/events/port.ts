// The one outbound port: every server→client event of every use case leaves
// through a RelayEvents, whichever process runs the use case.
//
// - In a realtime node it is backed by the Socket.IO server (`io`), whose
//   Redis adapter carries each emit to every node.
// - In web, admin and workers it is backed by `@socket.io/redis-emitter`
//   (events.ts `createEmitterEvents`), publishing on the same adapter channel.
//
// Both expose the same broadcast API (`to(rooms).emit`, `.volatile`,
// `disconnectSockets`, `socketsLeave`), so one implementation serves both.
// Delivery goes to user rooms (`user:<id>`, joined by every socket of a user
// on connect), so a member's every device on every node receives an event
// from one emit, and a removed member stops receiving at once without any
// socket leaving a room. The one kind of room sockets join on request is a
// presence watch (`presence:<id>`); `leaveRooms` takes sockets out of such
// rooms on every node when core revokes a watch.
//
// Emits are best effort by design: the state change is committed before we
// emit, and clients catch up with `sync`. A failure is reported to `onError`
// and never thrown into the use case.
import type { ServerToClientEvents } from "@relay/shared/events";
import type { TSessionRevokedEvent } from "@relay/shared/schemas";
import type { TConversationMembers } from "../conversations/membership";

/** The room every socket of a user joins (apps/realtime, on connect). */
export const userRoom = (userId: string): string => `user:${userId}`;

/**
 * The room of a user's presence watchers: a socket joins `presence:<userId>`
 * on `presence:watch` (apps/realtime) and leaves it on unwatch, disconnect, or
 * when core revokes the watch (`leaveRooms`, conversations/contacts.ts).
 */
export const presenceRoom = (userId: string): string => `presence:${userId}`;
export const PRESENCE_ROOM_PREFIX = presenceRoom("");

export type TServerEvent = keyof ServerToClientEvents;
export type TServerEventPayload<E extends TServerEvent> = Parameters<ServerToClientEvents[E]>[0];

export interface TEmitOptions {
  /** Dropped rather than queued for sockets that are not ready (typing). */
  volatile?: boolean;
  /** Leave this user's devices out (e.g. the typist). */
  exceptUserId?: string;
}

export interface RelayEvents {
  /** `event` to every device of each of `userIds` (deduplicated), on every node. */
  toUsers<E extends TServerEvent>(
    userIds: readonly string[],
    event: E,
    payload: TServerEventPayload<E>,
    opts?: TEmitOptions,
  ): void;
  /** `event` to every member of a conversation: one emit, encoded once. */
  toMembers<E extends TServerEvent>(
    members: TConversationMembers,
    event: E,
    payload: TServerEventPayload<E>,
    opts?: TEmitOptions,
  ): void;
  /** `session:revoked {reason}` to every socket of the user, then disconnect them all, on every node. */
  disconnectUser(userId: string, reason: TSessionRevokedEvent["reason"]): void;
  /**
   * Every socket of each of `userIds` leaves `rooms`, on every node (one
   * publish; the Redis adapter applies it on each node). Used to revoke
   * presence watches (`presenceRoom`) when a shared conversation goes away.
   */
  leaveRooms(userIds: readonly string[], rooms: readonly string[]): void;
}

/** What the Socket.IO server and the Redis emitter both offer (structurally). */
export interface BroadcastOperator {
  emit(event: string, ...args: unknown[]): unknown;
  readonly volatile: BroadcastOperator;
  disconnectSockets(close?: boolean): void;
  socketsLeave(rooms: string | string[]): void;
}
export interface Broadcaster {
  to(room: string | string[]): BroadcastOperator;
}

/** RelayEvents over a Socket.IO server or a Redis emitter. */
export function createRelayEvents(
  target: Broadcaster,
  onError: (err: unknown, event: string) => void,
): RelayEvents {
  const emit = (
    userIds: Iterable<string>,
    event: string,
    payload: unknown,
    opts?: TEmitOptions,
  ) => {
    const rooms: string[] = [];
    for (const id of new Set(userIds)) if (id !== opts?.exceptUserId) rooms.push(userRoom(id));
    if (rooms.length === 0) return;
    try {
      const op = target.to(rooms);
      (opts?.volatile ? op.volatile : op).emit(event, payload);
    } catch (err) {
      onError(err, event);
    }
  };
  return {
    toUsers: (userIds, event, payload, opts) => emit(userIds, event, payload, opts),
    toMembers: (members, event, payload, opts) =>
      emit(
        members.members.map((m) => m.userId),
        event,
        payload,
        opts,
      ),
    disconnectUser(userId, reason) {
      try {
        const op = target.to(userRoom(userId));
        // Same channel, same order: the event reaches each socket before its disconnect.
        op.emit("session:revoked", { reason } satisfies TSessionRevokedEvent);
        op.disconnectSockets(true);
      } catch (err) {
        onError(err, "session:revoked");
      }
    },
    leaveRooms(userIds, rooms) {
      const from = [...new Set(userIds)].map(userRoom);
      if (from.length === 0 || rooms.length === 0) return;
      try {
        target.to(from).socketsLeave([...new Set(rooms)]);
      } catch (err) {
        onError(err, "socketsLeave");
      }
    },
  };
}

const USER_ROOM_PREFIX = userRoom("");

export interface TRecordedEvent {
  userIds: string[];
  event: TServerEvent;
  payload: unknown;
  volatile?: true;
}

/** One `leaveRooms` as recorded: the users whose sockets leave, and the rooms. */
export interface TRecordedLeave {
  userIds: string[];
  rooms: string[];
}

/**
 * The real RelayEvents over a broadcaster that records instead of sending,
 * for tests of use cases: `sent` holds each emit with the users it reached.
 */
export function createRecordingEvents(): RelayEvents & {
  sent: TRecordedEvent[];
  disconnected: string[];
  left: TRecordedLeave[];
} {
  const sent: TRecordedEvent[] = [];
  const disconnected: string[] = [];
  const left: TRecordedLeave[] = [];
  const users = (room: string | string[]) =>
    [room].flat().map((r) => r.slice(USER_ROOM_PREFIX.length));
  const operator = (room: string | string[], volatile: boolean): BroadcastOperator => ({
    emit(event: string, payload: unknown) {
      sent.push({
        userIds: users(room),
        event: event as TServerEvent,
        payload,
        ...(volatile ? { volatile: true as const } : {}),
      });
    },
    get volatile() {
      return operator(room, true);
    },
    disconnectSockets() {
      disconnected.push(...users(room));
    },
    socketsLeave(rooms) {
      left.push({ userIds: users(room), rooms: [rooms].flat() });
    },
  });
  const events = createRelayEvents({ to: (room) => operator(room, false) }, (err) => {
    throw err;
  });
  return { ...events, sent, disconnected, left };
}
