// The notifier against a real Socket.IO server using the Redis adapter on the
// same Redis and key as realtime nodes, with real clients in user rooms.
import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import type { ServerToClientEvents } from "@relay/shared/events";
import type { TConversationUpdatedEvent } from "@relay/shared/schemas";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRealtimeNotifier, userRoom } from "./notifier";
import { redisKeys } from "./redis-keys";
import { testEnv } from "./testing";

const env = testEnv();
let http: HttpServer;
let io: Server;
let url: string;
const redisClients: Redis[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  const pub = new Redis(env.redisUrl);
  const sub = new Redis(env.redisUrl);
  redisClients.push(pub, sub);
  http = createServer();
  io = new Server(http, {
    adapter: createAdapter(pub, sub, { key: redisKeys(env.redisPrefix).adapter() }),
  });
  io.on("connection", (socket) => {
    // As apps/realtime does after the JWT handshake (here the user id is taken as given).
    void socket.join(userRoom(String((socket.handshake.auth as { userId?: unknown }).userId)));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await new Promise<void>((resolve) => {
    void io?.close(() => resolve());
  });
  await Promise.allSettled(redisClients.map((r) => r.quit()));
});

async function client(userId: string): Promise<{ received: TConversationUpdatedEvent[] }> {
  const socket: Socket<ServerToClientEvents> = connect(url, {
    auth: { userId },
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
  });
  sockets.push(socket);
  const received: TConversationUpdatedEvent[] = [];
  socket.on("conversation:updated", (event) => received.push(event));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  // The room join happens in the connection handler; wait until the server sees it.
  await expect.poll(async () => (await io.in(userRoom(userId)).fetchSockets()).length).toBe(1);
  return { received };
}

describe("createRealtimeNotifier", () => {
  it("delivers conversation:updated to the rooms of the given users only, once each", async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const carol = randomUUID();
    const [a, b, c] = await Promise.all([client(alice), client(bob), client(carol)]);
    const publisher = new Redis(env.redisUrl);
    redisClients.push(publisher);
    const notifier = createRealtimeNotifier(publisher, env.redisPrefix);

    const event: TConversationUpdatedEvent = {
      conversationId: randomUUID(),
      reason: "members_added",
    };
    notifier.conversationUpdated([alice, bob, alice], event);

    await expect.poll(() => a.received.length + b.received.length).toBe(2);
    expect(a.received).toEqual([event]);
    expect(b.received).toEqual([event]);
    // Give a stray delivery to carol time to show up before asserting there was none.
    notifier.conversationUpdated([bob], { ...event, reason: "updated" });
    await expect.poll(() => b.received.length).toBe(2);
    expect(c.received).toEqual([]);
  });

  it("does not throw when Redis is unreachable; the failure goes to onError", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on("error", () => undefined);
    const errors: unknown[] = [];
    const notifier = createRealtimeNotifier(dead, env.redisPrefix, {
      onError: (err) => errors.push(err),
    });
    expect(() =>
      notifier.conversationUpdated([randomUUID()], {
        conversationId: randomUUID(),
        reason: "updated",
      }),
    ).not.toThrow();
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    dead.disconnect();
  });
});
