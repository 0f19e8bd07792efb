// The event port against real Socket.IO servers on the Redis adapter (same
// Redis and adapter key as realtime nodes), with real clients in user rooms:
// both implementations — the Redis emitter (web, admin, workers) and a
// Socket.IO server (a realtime node) — reach sockets on another node.
import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerToClientEvents } from "@relay/shared/events";
import type { TConversationUpdatedEvent, TSessionRevokedEvent } from "@relay/shared/schemas";
import { redisKeys } from "../redis-keys";
import { testEnv } from "../testing";
import { createEmitterEvents } from "./emitter";
import { createRelayEvents, presenceRoom, userRoom, type RelayEvents } from "./port";

const env = testEnv();
const adapterKey = redisKeys(env.REDIS_PREFIX).adapter();
const redisClients: Redis[] = [];
const sockets: Socket[] = [];
interface TestNode {
  http: HttpServer;
  io: Server;
  url: string;
}
let nodes: TestNode[] = [];

async function startNode(): Promise<TestNode> {
  const pub = new Redis(env.REDIS_URL);
  const sub = new Redis(env.REDIS_URL);
  redisClients.push(pub, sub);
  const http = createServer();
  const io = new Server(http, { adapter: createAdapter(pub, sub, { key: adapterKey }) });
  io.on("connection", (socket) => {
    // As apps/realtime does after the JWT handshake (here the user id is taken as given).
    void socket.join(userRoom(String((socket.handshake.auth as { userId?: unknown }).userId)));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { http, io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  nodes = await Promise.all([startNode(), startNode()]);
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(
    nodes.map((n) => new Promise<void>((resolve) => void n.io.close(() => resolve()))),
  );
  await Promise.allSettled(redisClients.map((r) => r.quit()));
});

interface TestClient {
  socket: Socket<ServerToClientEvents>;
  received: Array<[string, unknown]>;
  disconnected: Promise<string>;
}

/**
 * A client of `userId` on node 1 (the emitting side is node 0 or the emitter);
 * `device` counts this user's sockets including this one.
 */
async function client(userId: string, device = 1): Promise<TestClient> {
  const socket: Socket<ServerToClientEvents> = connect(nodes[1]!.url, {
    auth: { userId },
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
  });
  sockets.push(socket);
  const received: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => received.push([event, payload]));
  const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  // The room join happens in the connection handler; wait until the cluster sees it.
  await expect
    .poll(async () => (await nodes[0]!.io.in(userRoom(userId)).fetchSockets()).length)
    .toBe(device);
  return { socket, received, disconnected };
}

function publisher(): Redis {
  const r = new Redis(env.REDIS_URL);
  redisClients.push(r);
  return r;
}

const implementations: Array<[string, () => RelayEvents]> = [
  ["redis emitter", () => createEmitterEvents(publisher(), env.REDIS_PREFIX, () => undefined)],
  ["socket.io server (another node)", () => createRelayEvents(nodes[0]!.io, () => undefined)],
];

describe.each(implementations)("RelayEvents over the %s", (_name, make) => {
  it("toUsers reaches the rooms of the given users only, once each", async () => {
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    const [a, b, c] = await Promise.all([client(alice), client(bob), client(carol)]);
    const events = make();
    const event: TConversationUpdatedEvent = {
      conversationId: randomUUID(),
      reason: "members_added",
    };
    events.toUsers([alice, bob, alice], "conversation:updated", event);
    // A later event to Carol (same publisher, same channel: delivered in order)
    // proves anything meant for her would have arrived by now.
    events.toUsers([carol], "conversation:updated", { ...event, reason: "updated" });
    await expect.poll(() => c.received.length).toBe(1);
    expect(a.received).toEqual([["conversation:updated", event]]);
    expect(b.received).toEqual([["conversation:updated", event]]);
    expect(c.received).toEqual([["conversation:updated", { ...event, reason: "updated" }]]);
  });

  it("toMembers reaches every member except the one left out", async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const [a, b] = await Promise.all([client(alice), client(bob)]);
    const events = make();
    const members = {
      type: "GROUP" as const,
      members: [alice, bob].map((userId) => ({
        userId,
        role: "MEMBER" as const,
        mutedUntil: null,
      })),
    };
    const conversationId = randomUUID();
    events.toMembers(
      members,
      "typing",
      { conversationId, userId: alice, typing: true },
      { volatile: true, exceptUserId: alice },
    );
    events.toMembers(members, "message:deleted", {
      conversationId,
      messageId: randomUUID(),
      seq: 1,
    });
    await expect.poll(() => a.received.length).toBe(1);
    await expect.poll(() => b.received.length).toBe(2);
    expect(a.received.map(([e]) => e)).toEqual(["message:deleted"]);
    expect(b.received.map(([e]) => e)).toEqual(["typing", "message:deleted"]);
  });

  it("disconnectUser sends session:revoked, then ends every socket of that user only", async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const [a1, b] = await Promise.all([client(alice), client(bob)]);
    const a2 = await client(alice, 2);
    make().disconnectUser(alice, "banned");
    const revoked: TSessionRevokedEvent = { reason: "banned" };
    expect(await a1.disconnected).toBe("io server disconnect");
    expect(await a2.disconnected).toBe("io server disconnect");
    expect(a1.received).toEqual([["session:revoked", revoked]]);
    expect(a2.received).toEqual([["session:revoked", revoked]]);
    // Bob is still connected and still reachable after Alice was cut off.
    make().toUsers([bob], "conversation:updated", {
      conversationId: randomUUID(),
      reason: "updated",
    });
    await expect.poll(() => b.received.length).toBe(1);
    expect(b.socket.connected).toBe(true);
  });

  it("leaveRooms takes every socket of the given users out of the rooms, on another node, and no one else", async () => {
    const [alice, bob, watched, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const [a1, b] = await Promise.all([client(alice), client(bob)]);
    const a2 = await client(alice, 2);
    const rooms = [presenceRoom(watched), presenceRoom(other)];
    // As presence:watch does (the Redis adapter applies joins and leaves, even its own, from the channel).
    nodes[1]!.io.in([userRoom(alice), userRoom(bob)]).socketsJoin(rooms);
    const inRoom = (room: string) =>
      [...(nodes[1]!.io.of("/").adapter.rooms.get(room) ?? [])].sort();
    const everyone = [a1.socket.id, a2.socket.id, b.socket.id].sort();
    await expect.poll(() => inRoom(rooms[1]!)).toEqual(everyone);

    make().leaveRooms([alice], [presenceRoom(watched)]);
    await expect.poll(() => inRoom(rooms[0]!)).toEqual([b.socket.id]);
    expect(inRoom(rooms[1]!)).toEqual(everyone);
    // An emit to the room now reaches Bob only.
    nodes[0]!.io.to(rooms[0]!).emit("conversation:updated", {
      conversationId: randomUUID(),
      reason: "updated",
    });
    await expect.poll(() => b.received.length).toBe(1);
    expect([...a1.received, ...a2.received]).toEqual([]);
  });
});

describe("createEmitterEvents", () => {
  it("does not throw when Redis is unreachable; the failure goes to onError", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on("error", () => undefined);
    const errors: unknown[] = [];
    const events = createEmitterEvents(dead, env.REDIS_PREFIX, (err) => errors.push(err));
    expect(() =>
      events.toUsers([randomUUID()], "conversation:updated", {
        conversationId: randomUUID(),
        reason: "updated",
      }),
    ).not.toThrow();
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    dead.disconnect();
  });
});
